import Foundation

/// Maps a pure function over many items on every core, keeping order.
enum ParallelMap {
    /// Below this many items the threads cost more than they save.
    static let threshold = 256

    static func map<T, R>(_ items: [T], _ transform: (T) -> R) -> [R] {
        guard items.count >= threshold else { return items.map(transform) }
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (items.count + workers - 1) / workers
        var results = [R?](repeating: nil, count: items.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let output = UnsafeMutableBufferPointerBox(buffer)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let start = worker * chunk
                let end = min(start + chunk, items.count)
                guard start < end else { return }
                for index in start..<end { output.buffer[index] = transform(items[index]) }
            }
        }
        return results.map { $0! }
    }
}

/// Lets workers write disjoint indexes of one buffer.
private struct UnsafeMutableBufferPointerBox<R>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<R?>
    init(_ buffer: UnsafeMutableBufferPointer<R?>) { self.buffer = buffer }
}
