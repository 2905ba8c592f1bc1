/// Numbers the distinct pairs of widths (a, b) it is shown: 0, 1, 2, … in order of first
/// appearance, so that per-pair data (a layer's constants, a width's layer count) can live in
/// plain arrays.
///
/// Open addressing with a multiplicative hash and linear probing. Why not `Dictionary`: Swift's
/// dictionaries hash with SipHash, which for a random width sequence cost more per layer than
/// the whole `Double` layer update it looked up (a profile of 2·10⁶ random widths put 15–20 %
/// of `ntk moments --double` in hashing). A lookup here is a multiply, a shift and usually one
/// comparison.
struct WidthPairIndex {
    /// The pairs in order of first appearance; a pair's number is its position here.
    private(set) var pairs: [(first: Int, second: Int)] = []
    /// Slot → number of the pair stored there, or −1 for an empty slot; the count is a power of two.
    private var slots: [Int]

    init(minimumCapacity: Int = 16) {
        var size = 16
        while size < 2 * minimumCapacity { size *= 2 }
        slots = Array(repeating: -1, count: size)
    }

    /// How many distinct pairs have been numbered.
    var count: Int { pairs.count }

    /// The pair's number, or nil if it has none yet.
    func existingNumber(_ first: Int, _ second: Int) -> Int? {
        let n = slots[slot(first, second)]
        return n < 0 ? nil : n
    }

    /// The pair's number, numbering it first if it is new (`inserted`).
    mutating func number(_ first: Int, _ second: Int) -> (number: Int, inserted: Bool) {
        let slot = slot(first, second)
        if slots[slot] >= 0 { return (slots[slot], false) }
        let n = pairs.count
        pairs.append((first, second))
        slots[slot] = n
        // At most half full, so probes stay short and an empty slot always exists.
        if 2 * pairs.count > slots.count { rehash(size: 2 * slots.count) }
        return (n, true)
    }

    /// Forgets every pair (numbering restarts at 0), keeping the storage.
    mutating func removeAll() {
        pairs.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = -1 }
    }

    /// The slot holding the pair, or the empty slot where it would go.
    private func slot(_ first: Int, _ second: Int) -> Int {
        var slot = Self.hash(first, second) & (slots.count - 1)
        while true {
            let n = slots[slot]
            if n < 0 || (pairs[n].first == first && pairs[n].second == second) { return slot }
            slot = (slot + 1) & (slots.count - 1)
        }
    }

    private mutating func rehash(size: Int) {
        slots = Array(repeating: -1, count: size)
        for (n, pair) in pairs.enumerated() {
            var slot = Self.hash(pair.first, pair.second) & (size - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = n
        }
    }

    /// Fibonacci hashing of both integers; the high bits, folded down, are well mixed even for
    /// the consecutive small widths typical of width sequences.
    private static func hash(_ a: Int, _ b: Int) -> Int {
        var h = UInt64(bitPattern: Int64(a)) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ UInt64(bitPattern: Int64(b))) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: h >> 32 ^ h)
    }
}
