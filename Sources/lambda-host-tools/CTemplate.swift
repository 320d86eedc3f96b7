/// `lambda-host new --lang c`: hello.c on lambda_plugin.h, and a Makefile with the release
/// flags docs/languages.md recommends.
enum CTemplate {
    static func files(name: String) -> [FunctionTemplate.File] {
        [.init("hello.c", source(name: name)), .init("Makefile", makefile(name: name))]
    }

    static func source(name: String) -> String {
        #"""
        /*
         * \#(name): a Lambda function in C, a plugin for lambda-host (lambda_plugin.h is the
         * whole ABI). It answers {"name":"Ada"} with {"message":"Hello, Ada!"} and any other
         * event with {"message":"Hello from \#(name)!"}.
         *
         *   lambda-host build .     (or: make LAMBDA_HOST_INCLUDE="$(lambda-host include-path)")
         */
        #include <lambda_plugin.h>
        #include <stdlib.h>
        #include <string.h>

        /* The handler keeps no state, so the host may run it on several threads at once. */
        LAMBDA_PLUGIN_DEFINE_FLAGS("\#(name)", "1.0.0", NULL, NULL, LAMBDA_PLUGIN_THREAD_SAFE)

        static size_t skip_space(const char *text, size_t at, size_t size) {
            while (at < size && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' || text[at] == '\n')) at++;
            return at;
        }

        /* The text of the first string member "name" of the event, its escapes kept as they
         * are (so it goes back into a JSON string unchanged), or NULL. Enough JSON for a
         * greeting; a real event deserves a JSON library. */
        static const char *name_in(const char *event, size_t size, size_t *length) {
            static const char key[] = "\"name\"";
            const size_t key_size = sizeof key - 1;
            for (size_t at = 0; at + key_size <= size; at++) {
                if (memcmp(event + at, key, key_size) != 0) continue;
                size_t i = skip_space(event, at + key_size, size);
                if (i >= size || event[i] != ':') continue;
                i = skip_space(event, i + 1, size);
                if (i >= size || event[i] != '"') return NULL;
                for (size_t end = i + 1; end < size; end++) {
                    if (event[end] == '\\') {
                        end++;
                    } else if (event[end] == '"') {
                        *length = end - i - 1;
                        return event + i + 1;
                    }
                }
                return NULL;
            }
            return NULL;
        }

        LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
            size_t length = 0;
            const char *name = name_in(invocation->payload, invocation->payload_size, &length);
            const char *before = name ? "{\"message\":\"Hello, " : "{\"message\":\"Hello from ";
            const char *after = "!\"}";
            if (!name || length == 0) {
                name = "\#(name)";
                length = strlen(name);
            }
            const size_t size = strlen(before) + length + strlen(after);
            char *answer = malloc(size);
            if (!answer) return invocation->host->fail(invocation, "\#(name).OutOfMemory", "no memory for the answer");
            memcpy(answer, before, strlen(before));
            memcpy(answer + strlen(before), name, length);
            memcpy(answer + strlen(before) + length, after, strlen(after));
            const lambda_status status = invocation->host->respond(invocation, answer, size);
            free(answer);
            return status;
        }

        """#
    }

    static func makefile(name: String) -> String {
        #"""
        # lib\#(name).so, the plugin lambda-host loads (Handler: lib\#(name).so), with the release
        # flags docs/languages.md recommends: optimised, position-independent, only the entry
        # point and the handler exported, stripped. `lambda-host build .` runs make with
        # LAMBDA_HOST_INCLUDE set; plain `make` asks lambda-host (on PATH) for it.
        LAMBDA_HOST_INCLUDE ?= $(shell lambda-host include-path)
        CFLAGS ?= -O2
        PLUGIN := lib\#(name).so

        $(PLUGIN): hello.c
        \#t$(CC) $(CFLAGS) -Wall -Wextra -fPIC -shared -fvisibility=hidden -s -I "$(LAMBDA_HOST_INCLUDE)" -o $@ hello.c

        clean:
        \#trm -f $(PLUGIN)

        .PHONY: clean

        """#
    }
}
