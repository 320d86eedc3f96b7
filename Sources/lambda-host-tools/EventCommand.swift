import ArgumentParser

extension LambdaHostTools {
    /// `lambda-host event <kind>`: prints a sample event to edit or pipe into `invoke`.
    struct EventCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "event",
            abstract: "Print a sample event of an AWS event source, as JSON.",
            discussion: """
                The samples follow the shapes AWS documents for each source, with made-up values: \
                edit one, or pipe it straight into a local invocation. --list names the kinds.

                Examples:
                  lambda-host event --list
                  lambda-host event sqs | lambda-host invoke --handler .build/release/libHello.so --event-file -
                  lambda-host event apigateway-v2 > event.json
                """
        )

        @Argument(help: "The kind of event, such as sqs or apigateway-v2 (see --list).")
        var kind: String?

        @Flag(help: "List the kinds, one a line.")
        var list = false

        func validate() throws {
            if list { return }
            guard let kind else { throw ValidationError("name a kind of event: \(Self.kinds)") }
            guard EventSamples.named(kind) != nil else {
                throw ValidationError("no sample event '\(ArgumentBytes.escaped(Array(kind.utf8)))'; the kinds are: \(Self.kinds)")
            }
        }

        func run() throws {
            if list {
                let width = EventSamples.all.map(\.kind.count).max() ?? 0
                for sample in EventSamples.all {
                    print(sample.kind + String(repeating: " ", count: width - sample.kind.count + 2) + sample.summary)
                }
                return
            }
            guard let kind, let sample = EventSamples.named(kind) else { return }
            print(sample.json)
        }

        private static var kinds: String { EventSamples.all.map(\.kind).joined(separator: ", ") }
    }
}
