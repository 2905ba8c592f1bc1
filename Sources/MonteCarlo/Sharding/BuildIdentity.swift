import Foundation

/// Which build of `ntk` produced a shard: shards of different builds are never merged, since a
/// changed sampler or block size would change the result. The identity is a 64-bit hash of
/// the running executable's bytes (so two compilations of different code never agree, and
/// copies of one binary on every node of a cluster do), computed once per process.
public enum BuildIdentity {
    /// `ntk-<16 hex digits>`, or `ntk-unknown` where the executable cannot be read.
    public static let current: String = {
        guard let data = executableBytes() else { return "ntk-unknown" }
        return "ntk-" + hexHash(data)
    }()

    private static func executableBytes() -> Data? {
        #if os(Linux)
        if let data = try? Data(contentsOf: URL(fileURLWithPath: "/proc/self/exe"), options: .mappedIfSafe) { return data }
        #endif
        guard let path = Bundle.main.executablePath else { return nil }
        return try? Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    }

    /// A 64-bit hash of `data` (8 bytes at a time, multiply–xorshift), as 16 hex digits.
    /// Identity, not security: it tells builds apart, it does not resist forgery.
    public static func hexHash(_ data: Data) -> String {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(data.count)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let words = raw.count / 8
            for i in 0..<words {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 29
            }
            for i in (words * 8)..<raw.count { h = (h ^ UInt64(raw[i])) &* 0xC4CE_B9FE_1A85_EC53 }
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
