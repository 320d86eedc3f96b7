// CxxHello: a C++ plugin written with lambda_plugin.hpp. Not a package target: built with
// the build line of docs/languages.md ("C++"), by CxxPluginTests too:
//
//     c++ -std=c++17 -shared -fPIC -O2 -fvisibility=hidden -I <include> -o libCxxHello.so hello.cpp
//
// handler: {"name": "Ada"} → {"message":"Hello, Ada!"}; GREETING sets the first word (read
// once, in INIT, into the plugin's state; one with a quote fails INIT). {"throw": "std"}
// throws a std::invalid_argument and {"throw": "int"} an int, to show both reported as the
// invocation's error. lines (_HANDLER=libCxxHello.so:lines) streams three lines, or one
// and then an exception with {"throw": "std"}.
#include <lambda_plugin.hpp>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

// What every invocation shares: built in INIT, read-only afterwards, so the handler may
// run on several threads at once (LAMBDA_PLUGIN_THREAD_SAFE below).
struct Greeter {
    std::string word;
    explicit Greeter(const lambda::services &host) {
        const char *configured = std::getenv("GREETING");
        word = configured && *configured ? configured : "Hello";
        // It goes into a JSON string as it is.
        if (word.find_first_of("\"\\") != std::string::npos)
            throw lambda::error("Greeting.Invalid", "GREETING must be plain text, without quotes or backslashes");
        host.log("greeting with " + word);
    }
};

// The text of the JSON string member `key` of `event`, escapes kept as they are (so it can
// go back into a JSON string unchanged), or `fallback`. Enough JSON for a greeting.
std::string_view member(std::string_view event, std::string_view key, std::string_view fallback) {
    const std::string quoted = "\"" + std::string(key) + "\"";
    size_t at = event.find(quoted);
    if (at == std::string_view::npos) return fallback;
    at = event.find_first_not_of(" \t\r\n", at + quoted.size());
    if (at == std::string_view::npos || event[at] != ':') return fallback;
    at = event.find_first_not_of(" \t\r\n", at + 1);
    if (at == std::string_view::npos || event[at] != '"') return fallback;
    for (size_t end = at + 1; end < event.size(); end++) {
        if (event[end] == '\\') end++;
        else if (event[end] == '"') return event.substr(at + 1, end - at - 1);
    }
    return fallback;
}

std::string greet(lambda::invocation &invocation) {
    const std::string_view event = invocation.payload();
    const std::string_view thrown = member(event, "throw", "");
    if (thrown == "std") throw std::invalid_argument("no greeting for an event that asks for an exception");
    if (thrown == "int") throw 42;
    const Greeter *greeter = invocation.state<Greeter>();
    return "{\"message\":\"" + greeter->word + ", " + std::string(member(event, "name", "world")) + "!\"}";
}

void stream_lines(lambda::invocation &invocation) {
    lambda::stream out = invocation.stream("text/plain");
    for (int line = 1; line <= 3; line++) {
        out.write("line " + std::to_string(line) + "\n");
        if (member(invocation.payload(), "throw", "") == "std") throw std::runtime_error("stopped after line 1");
    }
}  // the stream ends here, unless an exception leaves: the boundary then fails it

}  // namespace

LAMBDA_CXX_PLUGIN_STATE(Greeter, "cxx-hello", "1.0.0", LAMBDA_PLUGIN_THREAD_SAFE)
LAMBDA_CXX_HANDLER(handler, greet)
LAMBDA_CXX_HANDLER(lines, stream_lines)
