import CDeflate

/// gzip request bodies (RFC 1952), for APIs that accept `Content-Encoding: gzip`.
///
/// Level 1 by default: JSON log batches shrink five- to tenfold even at the fastest level, and
/// the CPU saved is what lets one pipeline keep a loopback or LAN receiver busy. A body is always
/// a whole buffer, so libdeflate's whole-buffer compressor does it, at about twice zlib's speed
/// for the same level; its output is ordinary gzip (the tests inflate it with zlib).
public enum Gzip {
    public static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(level) else { return [] }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, input.count)
        return input.withUnsafeBytes { source in
            [UInt8](unsafeUninitializedCapacity: bound) { output, count in
                count = libdeflate_gzip_compress(
                    compressor, source.baseAddress, source.count, output.baseAddress, output.count)
            }
        }
    }
}
