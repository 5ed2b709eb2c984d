import SIEMCore

extension Optional where Wrapped == UTF8Text {
    /// The text when there is some: nil for nil and for empty text, both of which formatters omit.
    var nonEmptyText: UTF8Text? {
        guard case .some(let text) = self, !text.isEmpty else { return nil }
        return text
    }
}
