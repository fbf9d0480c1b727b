/// A buffer that concurrent workers (`DispatchQueue.concurrentPerform`) fill at disjoint indexes.
///
/// The one place rotor's parallel loops share memory: each worker writes only the indexes it
/// owns, and the caller reads the buffer only after every worker has returned.
// Safe to share unchecked: no index is written by two workers, and the memory outlives the workers.
public struct DisjointBuffer<Element>: @unchecked Sendable {
    /// The memory, owned by the caller.
    public let base: UnsafeMutableBufferPointer<Element>

    /// Wraps `base` for the workers.
    public init(_ base: UnsafeMutableBufferPointer<Element>) {
        self.base = base
    }

    /// The element at `index`; set it only from the worker that owns `index`.
    public subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }
}
