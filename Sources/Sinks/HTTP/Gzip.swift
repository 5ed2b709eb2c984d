import CZlib

/// gzip request bodies (RFC 1952), for APIs that accept `Content-Encoding: gzip`.
///
/// Level 1 by default: JSON log batches shrink five- to tenfold even at the fastest level, and
/// the CPU saved is what lets one pipeline keep a loopback or LAN receiver busy.
public enum Gzip {
    public static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
        var stream = z_stream()
        guard siem_deflate_init_gzip(&stream, level) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let written: Int = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return -1 }
                return out.count - Int(stream.avail_out)
            }
        }
        return written < 0 ? [] : Array(output[..<written])
    }
}
