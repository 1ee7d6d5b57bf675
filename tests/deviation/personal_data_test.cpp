#include "deviation/personal_data.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace boligflyt::deviation {
namespace {

// Independent of the implementation: the check digits computed the way Skatteetaten describes
// them (k = 11 - weighted sum mod 11; 11 → 0; 10 → the number cannot exist).
std::optional<char> check_digit(std::string_view digits, const std::vector<int>& weights) {
  int sum = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) sum += (digits[i] - '0') * weights[i];
  int k = 11 - sum % 11;
  if (k == 11) k = 0;
  if (k == 10) return std::nullopt;
  return static_cast<char>('0' + k);
}

std::optional<std::string> with_check_digits(const std::string& nine) {
  const auto k1 = check_digit(nine, {3, 7, 6, 1, 8, 9, 4, 5, 2});
  if (!k1) return std::nullopt;
  const std::string ten = nine + *k1;
  const auto k2 = check_digit(ten, {5, 4, 3, 2, 7, 6, 5, 4, 3, 2});
  if (!k2) return std::nullopt;
  return ten + *k2;
}

std::string two(int n) {
  return std::string(1, static_cast<char>('0' + n / 10)) + char('0' + n % 10);
}

// The first number with both check digits possible for this (possibly implausible) date.
std::string number_for(int day, int month, int year) {
  for (int individual = 100; individual < 1000; ++individual) {
    if (auto n = with_check_digits(two(day) + two(month) + two(year) + std::to_string(individual)))
      return *n;
  }
  ADD_FAILURE() << "no number for " << day << "." << month << "." << year;
  return {};
}

std::string wrong_second_check_digit(const std::string& valid) {
  std::string n = valid;
  n[10] = static_cast<char>('0' + (n[10] - '0' + 1) % 10);
  return n;
}

// --- is_valid_national_id -------------------------------------------------------------------

TEST(DeviationPersonalData, AcceptsKnownSyntheticNumbersCheckedByHand) {
  // 010190 100 46: sum1 = 7+1+72+4 = 84, 84 mod 11 = 7 → 4; sum2 = 4+2+63+5+8 = 82 → 6.
  EXPECT_TRUE(is_valid_national_id("01019010046"));
  EXPECT_TRUE(is_valid_national_id("17058510068"));
  EXPECT_TRUE(is_valid_national_id("31129910065"));
  EXPECT_TRUE(is_valid_national_id("41019010110"));  // D-nummer, day 01 + 40
  EXPECT_TRUE(is_valid_national_id("71010110100"));  // D-nummer, day 31 + 40
  EXPECT_TRUE(is_valid_national_id("15034210044"));  // H-nummer, month 03 + 40
  EXPECT_TRUE(is_valid_national_id("15859210020"));  // synthetic (Tenor), month 05 + 80
}

TEST(DeviationPersonalData, AcceptsEveryPlausibleDayAndMonthWithRightCheckDigits) {
  std::vector<int> months;
  for (int m = 1; m <= 12; ++m) months.insert(months.end(), {m, m + 40, m + 80});
  for (int day = 1; day <= 31; ++day) {
    for (const int d : {day, day + 40}) {
      for (const int month : months) {
        const std::string n = number_for(d, month, 87);
        EXPECT_TRUE(is_valid_national_id(n)) << n;
        EXPECT_FALSE(is_valid_national_id(wrong_second_check_digit(n))) << n;
      }
    }
  }
}

TEST(DeviationPersonalData, RefusesImpossibleDatesEvenWithRightCheckDigits) {
  for (const int day : {0, 32, 39, 40, 72, 80, 99}) {
    const std::string n = number_for(day, 5, 87);
    EXPECT_FALSE(is_valid_national_id(n)) << "day " << day << ": " << n;
  }
  for (const int month : {0, 13, 40, 53, 80, 93, 99}) {
    const std::string n = number_for(15, month, 87);
    EXPECT_FALSE(is_valid_national_id(n)) << "month " << month << ": " << n;
  }
}

TEST(DeviationPersonalData, RefusesWrongCheckDigitsAndTheImpossibleRemainder) {
  const std::string valid = "01019010046";
  for (int k = 0; k < 100; ++k) {
    std::string n = valid.substr(0, 9) + two(k);
    EXPECT_EQ(is_valid_national_id(n), n == valid) << n;
  }
  // A first nine digits whose first check digit would have to be 10: no number starts so.
  std::string impossible;
  for (int individual = 100; individual < 1000 && impossible.empty(); ++individual) {
    const std::string nine = "010190" + std::to_string(individual);
    if (!check_digit(nine, {3, 7, 6, 1, 8, 9, 4, 5, 2})) impossible = nine;
  }
  ASSERT_FALSE(impossible.empty());
  for (int k = 0; k < 100; ++k) EXPECT_FALSE(is_valid_national_id(impossible + two(k)));
}

TEST(DeviationPersonalData, RefusesAnythingButElevenDigits) {
  EXPECT_FALSE(is_valid_national_id(""));
  EXPECT_FALSE(is_valid_national_id("0101901004"));
  EXPECT_FALSE(is_valid_national_id("010190100460"));
  EXPECT_FALSE(is_valid_national_id("010190 10046"));
  EXPECT_FALSE(is_valid_national_id("0101901004a"));
}

// --- find_national_id ---------------------------------------------------------------------

TEST(DeviationPersonalData, FindsABareNumberAndReportsWhere) {
  const auto m = find_national_id("Leietaker 01019010046 ble ikke innkalt.");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->byte_offset, 10u);
  EXPECT_EQ(m->position, 11u);
  EXPECT_FALSE(m->d_number);

  const auto d = find_national_id("D-nummer:41019010110");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->position, 10u);
  EXPECT_TRUE(d->d_number);

  EXPECT_TRUE(find_national_id("01019010046").has_value());  // the whole text
}

TEST(DeviationPersonalData, CountsNorwegianLettersAsOneCharacterEach) {
  const std::string text = "Søker på bolig, fnr. 17058510068";  // ø and å take two bytes each
  const auto m = find_national_id(text);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->byte_offset, text.find("17058510068"));
  EXPECT_EQ(m->position, 22u);
  EXPECT_EQ(m->byte_offset, 23u);

  const auto emoji = find_national_id("\xF0\x9F\x8F\xA0 ÆØÅ 31129910065");  // 4-byte U+1F3E0
  ASSERT_TRUE(emoji.has_value());
  EXPECT_EQ(emoji->position, 7u);
}

TEST(DeviationPersonalData, FindsTheSpacedAndHyphenatedWrittenForms) {
  for (const std::string sep : {" ", "\u00A0", "\u202F", "-"}) {
    const std::string text = "Gjelder æøå 010190" + sep + "10046, se saken.";
    const auto m = find_national_id(text);
    ASSERT_TRUE(m.has_value()) << "separator of " << sep.size() << " bytes";
    EXPECT_EQ(m->byte_offset, text.find("010190"));
    EXPECT_EQ(m->position, 13u);
  }
  // Only the digits right beside the number matter: a digit after a further space does not.
  EXPECT_TRUE(find_national_id("010190 10046 7").has_value());
}

TEST(DeviationPersonalData, IgnoresNumbersInsideLongerDigitRunsOrOtherGroupings) {
  EXPECT_FALSE(find_national_id("9010190100469").has_value());
  EXPECT_FALSE(find_national_id("x901019010046").has_value());  // 12 digits
  EXPECT_FALSE(find_national_id("010190100461").has_value());   // 12 digits
  EXPECT_FALSE(find_national_id("2010190 10046").has_value());  // 7 + 5
  EXPECT_FALSE(find_national_id("010190 100461").has_value());  // 6 + 6
  EXPECT_FALSE(find_national_id("010190  10046").has_value());  // two spaces
  EXPECT_FALSE(find_national_id("010190_10046").has_value());
  EXPECT_FALSE(find_national_id("01 01 90 100 46").has_value());
}

TEST(DeviationPersonalData, FindsTheFirstValidCandidateAfterInvalidOnes) {
  const std::string text = "Ordre 01019010047, konto 1201 00 12345, og 41019010110.";
  const auto m = find_national_id(text);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->byte_offset, text.find("41019010110"));
  EXPECT_TRUE(m->d_number);
}

// --- check_free_text --------------------------------------------------------------------------

TEST(DeviationPersonalData, AcceptsOrdinaryTextAndAccountNumbers) {
  // A Norwegian bank account number: 11 digits, but not a valid fødselsnummer.
  const std::string account = "12010012346";
  ASSERT_NE(with_check_digits(account.substr(0, 9)).value_or(""), account);
  EXPECT_TRUE(check_free_text("description", "beskrivelse", "Betalt til konto " + account).ok());
  EXPECT_TRUE(check_free_text("description", "beskrivelse", "").ok());
  EXPECT_TRUE(check_free_text("description", "beskrivelse",
                              "Tildelingsmøtet 12.03.2024 ble avlyst; sak 2024/01234.")
                  .ok());
}

TEST(DeviationPersonalData, RefusesANumberWithoutEchoingIt) {
  const std::string number = "17058510068";
  const std::string text = std::string(53, 'x') + "fnr " + number + " må fjernes";
  const auto r = check_free_text("description", "beskrivelse", text);
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_EQ(e.kind, ErrorKind::kPersonalData);
  EXPECT_EQ(e.field, "description");
  EXPECT_EQ(e.detail,
            "Feltet «beskrivelse» inneholder noe som ser ut som et fødselsnummer eller D-nummer "
            "(fra tegn 58). Avvik skal handle om prosedyren, ikke om personer: fjern nummeret, "
            "eller bruk saksnummeret i arkivet.");
  EXPECT_EQ(e.position, 58U);
  EXPECT_FALSE(e.log_message.empty());
  for (const std::string& part : {number, number.substr(0, 6), number.substr(6)}) {
    for (const std::string* s :
         {&e.title, &e.detail, &e.field, &e.log_message, &e.extra_members_json, &e.slug}) {
      EXPECT_EQ(s->find(part), std::string::npos) << "echoes " << part << " in: " << *s;
    }
  }
}

TEST(DeviationPersonalData, RefusesTheSpacedFormWithoutEchoingEitherPart) {
  const auto r = check_free_text("cause", "årsak", "Gjelder 410190\u00A010110.");
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_EQ(e.field, "cause");
  EXPECT_NE(e.detail.find("«årsak»"), std::string::npos);
  EXPECT_NE(e.detail.find("(fra tegn 9)"), std::string::npos);
  for (const std::string part : {"410190", "10110"}) {
    EXPECT_EQ(e.detail.find(part), std::string::npos);
    EXPECT_EQ(e.log_message.find(part), std::string::npos);
  }
}

}  // namespace
}  // namespace boligflyt::deviation
