import Testing

@testable import LambdaEmulator

/// The bookkeeping of the emulator's Lambda Managed Instances mode, in-process: how many
/// invocations may be out, and which late answers get 410 `InvokeTimeout`.
@Suite struct ManagedConcurrencyTests {
    @Test func roomForExactlyTheLimit() {
        let mode = ManagedConcurrency(limit: 4)
        #expect((0...3).allSatisfy { mode.hasRoom(inFlight: $0) })
        #expect(!mode.hasRoom(inFlight: 4))
        #expect(!mode.hasRoom(inFlight: 5))
    }

    @Test(arguments: [(0, 1), (-3, 1), (1, 1), (1024, 1024), (5000, 1024)])
    func theLimitStaysInTheAcceptedRange(asked: Int, kept: Int) {
        #expect(ManagedConcurrency(limit: asked).limit == kept)
    }

    /// Which of `ids`, asked in order, `mode` takes as late answers.
    func late(_ mode: inout ManagedConcurrency, _ ids: [String]) -> [String] {
        ids.filter { mode.takeLateAnswer($0) }
    }

    @Test func aTimedOutInvocationIsLateOnceThenUnknown() {
        var mode = ManagedConcurrency(limit: 2)
        mode.recordTimeout("a")
        mode.recordTimeout("b")
        #expect(late(&mode, ["never-out", "b", "b", "a", "a"]) == ["b", "a"])
    }

    @Test func theOldestTimeoutsAreForgottenFirst() {
        var mode = ManagedConcurrency(limit: 1)
        let kept = ManagedConcurrency.rememberedTimeouts
        for i in 0..<(kept + 10) { mode.recordTimeout("id-\(i)") }
        let all = (0..<(kept + 10)).map { "id-\($0)" }
        #expect(late(&mode, all) == Array(all.dropFirst(10)))
    }

    @Test func theRingWrapsPastAnsweredTimeouts() {
        var mode = ManagedConcurrency(limit: 1)
        let kept = ManagedConcurrency.rememberedTimeouts
        for i in 0..<kept { mode.recordTimeout("old-\(i)") }
        #expect(late(&mode, ["old-0"]) == ["old-0"])
        // The next two push out the two oldest slots (old-0's, already answered, and
        // old-1's) and nothing newer.
        mode.recordTimeout("new-0")
        mode.recordTimeout("new-1")
        #expect(late(&mode, ["old-1", "new-0", "new-1", "old-2", "old-\(kept - 1)"]) == ["new-0", "new-1", "old-2", "old-\(kept - 1)"])
    }

    @Test func refusalsSayWhy() {
        #expect(AnswerOutcome.timedOut.status.code == 410)
        #expect(AnswerOutcome.timedOut.body.contains(#""errorType":"InvokeTimeout""#))
        #expect(AnswerOutcome.staleInvocationID.status.code == 410)
        #expect(AnswerOutcome.invalidRequestID.status.code == 400)
        #expect(AnswerOutcome.invalidRequestID.body.contains(#""errorType":"InvalidRequestID""#))
        #expect(AnswerOutcome.accepted.status.code == 202)
    }
}
