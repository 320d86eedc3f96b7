/// `lambda-host new --lang cpp`: hello.cpp on the header-only wrapper lambda_plugin.hpp,
/// and a Makefile with the release flags docs/languages.md recommends.
enum CxxTemplate {
    static func files(name: String) -> [FunctionTemplate.File] {
        [.init("hello.cpp", source(name: name)), .init("Makefile", makefile(name: name))]
    }

    static func source(name: String) -> String {
        #"""
        // \#(name): a Lambda function in C++17, a plugin for lambda-host written with its
        // header-only wrapper lambda_plugin.hpp. It answers {"name":"Ada"} with
        // {"message":"Hello, Ada!"} and any other event with {"message":"Hello from \#(name)!"}.
        // An exception a handler throws becomes the invocation's error (lambda::error sets
        // its errorType); the process goes on serving.
        //
        //   lambda-host build .     (or: make LAMBDA_HOST_INCLUDE="$(lambda-host include-path)")
        #include <lambda_plugin.hpp>

        #include <string>
        #include <string_view>

        namespace {

        // The text of the first string member "name" of the event, its escapes kept as they
        // are (so it goes back into a JSON string unchanged), or empty. Enough JSON for a
        // greeting; a real event deserves a JSON library.
        std::string_view name_in(std::string_view event) {
            constexpr std::string_view key = "\"name\"", space = " \t\r\n";
            for (size_t at = event.find(key); at != std::string_view::npos; at = event.find(key, at + 1)) {
                size_t i = event.find_first_not_of(space, at + key.size());
                if (i == std::string_view::npos || event[i] != ':') continue;
                i = event.find_first_not_of(space, i + 1);
                if (i == std::string_view::npos || event[i] != '"') return {};
                for (size_t end = i + 1; end < event.size(); end++) {
                    if (event[end] == '\\') end++;
                    else if (event[end] == '"') return event.substr(i + 1, end - i - 1);
                }
                return {};
            }
            return {};
        }

        std::string greet(lambda::invocation &invocation) {
            const std::string_view name = name_in(invocation.payload());
            if (name.empty()) return "{\"message\":\"Hello from \#(name)!\"}";
            return "{\"message\":\"Hello, " + std::string(name) + "!\"}";
        }

        }  // namespace

        // The handler keeps no state, so the host may run it on several threads at once.
        LAMBDA_CXX_PLUGIN("\#(name)", "1.0.0", LAMBDA_PLUGIN_THREAD_SAFE)
        LAMBDA_CXX_HANDLER(handler, greet)

        """#
    }

    static func makefile(name: String) -> String {
        #"""
        # lib\#(name).so, the plugin lambda-host loads (Handler: lib\#(name).so), with the release
        # flags docs/languages.md recommends: C++17, optimised, position-independent, only the
        # entry point and the handler exported, stripped. `lambda-host build .` runs make with
        # LAMBDA_HOST_INCLUDE set; plain `make` asks lambda-host (on PATH) for it.
        LAMBDA_HOST_INCLUDE ?= $(shell lambda-host include-path)
        ifeq ($(origin CXX),default)
        CXX = c++
        endif
        CXXFLAGS ?= -O2
        PLUGIN := lib\#(name).so

        $(PLUGIN): hello.cpp
        \#t$(CXX) -std=c++17 $(CXXFLAGS) -Wall -Wextra -fPIC -shared -fvisibility=hidden -s -I "$(LAMBDA_HOST_INCLUDE)" -o $@ hello.cpp

        clean:
        \#trm -f $(PLUGIN)

        .PHONY: clean

        """#
    }
}
