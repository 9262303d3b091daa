// File: formats/csv_writer.h
//
// The one CSV writer of the project: RFC 4180 field quoting and records.
// Every CSV that the formats in formats/ and the CLI's reports write goes
// through it, so that quoting is written once (the reader is in
// formats/csv_table.h).
//
//   std::string line;
//   AppendCsvRecord({"sell", "BTC-USD", "a,b"}, &line);
//   => sell,BTC-USD,"a,b"\n
//
// Thread safety: free functions over values.
#ifndef FIFO_FORMATS_CSV_WRITER_H_
#define FIFO_FORMATS_CSV_WRITER_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace fifo {

// A field is quoted (RFC 4180: wrapped in '"', inner quotes doubled) only
// when it contains a comma, a quote, CR or LF.
bool CsvNeedsQuoting(absl::string_view field);

// Appends `field`, quoted as needed, to `*out`.
void AppendCsvField(absl::string_view field, std::string* out);

// Appends the fields joined by commas, each quoted as needed, then "\n".
void AppendCsvRecord(const std::vector<absl::string_view>& fields,
                     std::string* out);

// Writes the record AppendCsvRecord makes of `fields` to `out`.
void WriteCsvRecord(std::ostream& out,
                    const std::vector<absl::string_view>& fields);

}  // namespace fifo

#endif  // FIFO_FORMATS_CSV_WRITER_H_
