import Testing
import Foundation
@testable import Multiprecision

@Suite("Exponent range on every thread")
struct ThreadExponentRangeTests {
    /// Holds a value so that a thread can mutate it in place while it is uniquely referenced
    /// (so the operation allocates no new storage on that thread).
    final class Slot: @unchecked Sendable {
        var value: BigFloat
        init(_ value: BigFloat) { self.value = value }
    }

    /// Runs `body` on a new thread, one that has never created a `BigFloat`, and waits for it.
    static func onFreshThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        Thread {
            body()
            done.signal()
        }.start()
        done.wait()
    }

    @Test("in-place operations on a fresh thread keep 2^-(10^12)-sized values exact")
    func inPlaceOnFreshThread() {
        let e = -1_000_000_000_000
        let a = BigFloat.powerOfTwo(e, precision: 64), b = BigFloat.powerOfTwo(e, precision: 64)
        let multiplied = Slot(BigFloat.powerOfTwo(e, precision: 64))
        let product = Slot(BigFloat(precision: 64))
        let accumulated = Slot(BigFloat(precision: 64))
        let sum = Slot(BigFloat.powerOfTwo(e, precision: 64))
        Self.onFreshThread {
            multiplied.value.multiply(by: b)
            product.value.setProduct(a, b, rounding: .nearest)
            accumulated.value.addProduct(a, b)
            sum.value.add(a)
        }
        let square = BigFloat.powerOfTwo(2 * e, precision: 64)
        #expect(multiplied.value == square)
        #expect(product.value == square)
        #expect(accumulated.value == square)
        #expect(sum.value == BigFloat.powerOfTwo(e + 1, precision: 64))
    }
}
