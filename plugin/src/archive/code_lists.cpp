// The KS code values the arkivmelding builder accepts (arkivmelding.h: embedded_code_lists).

#include <array>

#include "archive/arkivmelding.h"

namespace boligflyt::archive {
namespace {

// The codes boligflyt sends, with KS's descriptions (kodelister/*.json, V1 and V2 alike).
// arkivmelding_test proves each one against the official files.
constexpr std::array kJournalposttype{
    CodeValue{"N", "Organinternt dokument for oppfølging"},
    CodeValue{"X", "Organinternt dokument uten oppfølging"},
};
constexpr std::array kJournalstatus{
    CodeValue{"J", "Journalført"},
    CodeValue{"F", "Ferdigstilt av saksbehandler"},
};
constexpr std::array kDokumentstatus{
    CodeValue{"B", "Dokumentet er under redigering"},
    CodeValue{"F", "Dokumentet er ferdigstilt"},
};
constexpr std::array kTilknyttetRegistreringSom{
    CodeValue{"H", "Hoveddokument"},
    CodeValue{"V", "Vedlegg"},
};
constexpr std::array kVariantformat{
    CodeValue{"A", "Arkivformat"},
    CodeValue{"P", "Produksjonsformat"},
};
// A subset of KS's example list: the kinds of document boligflyt produces.
constexpr std::array kDokumenttype{
    CodeValue{"RAPPORT", "Rapport"},   CodeValue{"NOTAT", "Notat"},
    CodeValue{"DOKUMENT", "Dokument"}, CodeValue{"MELDING", "Melding"},
    CodeValue{"VEDLEGG", "Vedlegg"},
};
constexpr std::array kKorrespondanseparttype{
    CodeValue{"IA", "Intern avsender"},
};
// KS names tilgangsrestriksjon as a code list (kodelister.xsd) but publishes none: each archive
// has its own. "13" (offl. § 13, taushetsplikt) is the code Norwegian archives use.
constexpr std::array kTilgangsrestriksjon{
    CodeValue{"13", ""},
};

constexpr std::array kCodeLists{
    EmbeddedCodeList{"journalposttype", "journalposttype", kJournalposttype},
    EmbeddedCodeList{"journalstatus", "journalstatus", kJournalstatus},
    EmbeddedCodeList{"dokumentstatus", "dokumentstatus", kDokumentstatus},
    EmbeddedCodeList{"tilknyttetRegistreringSom", "tilknyttetregistreringsom",
                     kTilknyttetRegistreringSom},
    EmbeddedCodeList{"variantformat", "variantformat", kVariantformat},
    EmbeddedCodeList{"dokumenttype", "dokumenttype", kDokumenttype},
    EmbeddedCodeList{"korrespondanseparttype", "korrespondanseparttype", kKorrespondanseparttype},
    EmbeddedCodeList{"tilgangsrestriksjon", "", kTilgangsrestriksjon},
};

}  // namespace

std::span<const EmbeddedCodeList> embedded_code_lists() { return kCodeLists; }

}  // namespace boligflyt::archive
