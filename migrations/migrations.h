// File: migrations/migrations.h
//
// The schema migrations of the ledger store, one forward-only numbered set
// per SQL dialect, embedded into the binary at build time (a genrule turns
// migrations/<dialect>/NNNN_name.sql into string constants), so no file is
// looked up at run time.
//
// Each migration is a script of several statements, applied in one
// transaction by the storage layer's migration runner, which records it in
// schema_migrations. Never edit a released file: add a new one.
//
// Thread safety: immutable data.
#ifndef FIFO_MIGRATIONS_MIGRATIONS_H_
#define FIFO_MIGRATIONS_MIGRATIONS_H_

#include <vector>

namespace fifo {

struct Migration {
  int version;       // NNNN from the file name, > 0, strictly increasing
  const char* name;  // the file name without ".sql", e.g. "0001_initial"
  const char* sql;   // the whole script
};

// The migrations for SQLite, in ascending version order.
const std::vector<Migration>& SqliteMigrations();

// The migrations for PostgreSQL, in ascending version order.
const std::vector<Migration>& PostgresqlMigrations();

}  // namespace fifo

#endif  // FIFO_MIGRATIONS_MIGRATIONS_H_
