import PoUWInference
import Testing

@Suite struct SamplerStopMatcherTests {
    /// Feeds the chunks and returns (released text, stopped).
    static func run(_ stops: [String], _ chunks: [String]) -> (String, Bool) {
        var matcher = SamplerStopMatcher(stopSequences: stops)
        var text = ""
        for chunk in chunks {
            let (released, stopped) = matcher.append(chunk)
            text += released
            if stopped { return (text, true) }
        }
        return (text + matcher.finish(), false)
    }

    @Test("a stop sequence split across chunks ends generation before it")
    func splitAcrossChunks() {
        #expect(Self.run(["\n\nUser:"], ["Hello", " there\n", "\nUs", "er: more"]) == ("Hello there", true))
        #expect(Self.run(["END"], ["abcEN", "D tail"]) == ("abc", true))
        #expect(Self.run(["END"], ["END"]) == ("", true))
    }

    @Test("text that only looks like the start of a stop sequence is released in full")
    func falseStartsAreReleased() {
        #expect(Self.run(["END"], ["abcE", "Nx", "yz"]) == ("abcENxyz", false))
        #expect(Self.run(["END"], ["abcEN"]) == ("abcEN", false))
        var matcher = SamplerStopMatcher(stopSequences: ["END"])
        #expect(matcher.append("abcE") == ("abc", false))
        #expect(matcher.append("x") == ("Ex", false))
    }

    @Test("the earliest of several stop sequences wins, including multi-byte ones")
    func earliestWins() {
        #expect(Self.run(["world", "lo w"], ["hello world"]) == ("hel", true))
        #expect(Self.run(["。", "!"], ["日本語。次!"]) == ("日本語", true))
        #expect(Self.run([], ["no stops"]) == ("no stops", false))
    }
}
