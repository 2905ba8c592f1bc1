import ArgumentParser

/// `--format` of the commands that print one report: the text for a reader, or the JSON
/// document of the result (limit, expand, validate, step, distribution and their merges).
enum ReportFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// `--format` of the commands whose report is also one CSV row per network or per point
/// (moments, kernel, offdiag and its merge).
enum ReportOrCSVFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, csv
}
