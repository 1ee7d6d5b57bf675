#pragma once
// The store port: everything the plugin keeps durably goes through these interfaces, so the
// embedded SQLite store and the PostgreSQL store for multi-node hosts are interchangeable
// (adapters/store_sqlite, adapters/store_postgresql, over the one SQL layer in store/sql).
// A write returns only after the data is durable (the caller may acknowledge it then).
//
// The port is split by what the domain needs: procedures, avvik, the outbox, archive receipts
// and administration to read with, and one unit of work for the writes that go together.
// Store is all of them, for the one object a host opens.

#include "ports/store/administration.h"
#include "ports/store/archive_receipt_repository.h"
#include "ports/store/attachment_repository.h"
#include "ports/store/deviation_repository.h"
#include "ports/store/outbox_repository.h"
#include "ports/store/procedure_repository.h"
#include "ports/store/records.h"
#include "ports/store/unit_of_work.h"

namespace boligflyt::store {

class Store : public Administration,
              public ProcedureRepository,
              public DeviationRepository,
              public OutboxRepository,
              public ArchiveReceiptRepository,
              public UnitOfWork,
              public AttachmentRepository {};

}  // namespace boligflyt::store
