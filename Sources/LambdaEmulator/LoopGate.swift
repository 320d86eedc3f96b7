import NIOCore
import Synchronization

/// Gives work to an event loop until the loop is closed, and silently drops it after:
/// SwiftNIO complains ("event loop already shut down") about work given to a loop that has
/// shut down, and callbacks from other threads (a chunk written to an invoker, a process
/// that exited) may come at any time. The check and the hand-over happen under one lock.
final class LoopGate: Sendable {
    let loop: EventLoop
    private let closed = Mutex(false)

    init(_ loop: EventLoop) {
        self.loop = loop
    }

    /// Runs `work` on the loop later, unless the gate is closed.
    func execute(_ work: @escaping @Sendable () -> Void) {
        closed.withLock { closed in
            if !closed { loop.execute(work) }
        }
    }

    /// Runs `work` on the loop and gives its value; nil once the gate is closed.
    func submit<T: Sendable>(_ work: @escaping @Sendable () -> T) -> EventLoopFuture<T>? {
        closed.withLock { closed in closed ? nil : loop.submit(work) }
    }

    /// Closes the gate; `last` is the last work the loop gets. Nil if it was closed already.
    func close<T: Sendable>(after last: @escaping @Sendable () -> T) -> EventLoopFuture<T>? {
        closed.withLock { closed in
            defer { closed = true }
            return closed ? nil : loop.submit(last)
        }
    }
}
