#include "formats/csv_writer.h"

namespace fifo {

bool CsvNeedsQuoting(absl::string_view field) {
  return field.find_first_of(",\"\r\n") != absl::string_view::npos;
}

void AppendCsvField(absl::string_view field, std::string* out) {
  if (!CsvNeedsQuoting(field)) {
    out->append(field.data(), field.size());
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsvRecord(const std::vector<absl::string_view>& fields,
                     std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendCsvField(fields[i], out);
  }
  out->push_back('\n');
}

void WriteCsvRecord(std::ostream& out,
                    const std::vector<absl::string_view>& fields) {
  std::string line;
  AppendCsvRecord(fields, &line);
  out << line;
}

}  // namespace fifo
