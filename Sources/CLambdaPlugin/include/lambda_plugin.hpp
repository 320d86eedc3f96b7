/*
 * lambda_plugin.hpp: a header-only C++17 wrapper over lambda_plugin.h, for C++ plugins.
 *
 *     #include <lambda_plugin.hpp>
 *
 *     std::string greet(lambda::invocation &invocation) {
 *         return "{\"echo\":" + std::string(invocation.payload()) + "}";
 *     }
 *     LAMBDA_CXX_PLUGIN("echo", "1.0.0", 0)
 *     LAMBDA_CXX_HANDLER(handler, greet)
 *
 * What it adds to the C ABI, and what that costs:
 *   - Exceptions stop at the boundary. A handler (or a state's constructor, run in the
 *     init hook) that throws is reported as the invocation's (or INIT's) error: a
 *     lambda::error with its own type; any other std::exception with its dynamic type's
 *     name ("std::invalid_argument") and what(); anything else as Cxx.Exception naming the
 *     thrown type. Nothing escapes into the host, as lambda_plugin.h requires.
 *   - std::string_view for everything the host lends (payload, ids, responses): no copy,
 *     valid as long as the C ABI says (the invocation, or the next http call).
 *   - RAII: a stream ends when its object goes out of scope (cleanly, unless an exception
 *     is on its way out, which then fails the stream); a plugin's state is built by the
 *     init hook and destroyed by the shutdown hook.
 *   - Strings handed to the host that must be NUL-terminated (fail's type and message,
 *     an http method and URL) are copied once into a std::string; the rest is passed as is.
 * It keeps no global state, so a plugin may declare LAMBDA_PLUGIN_THREAD_SAFE when its own
 * code allows (docs/concurrency.md). Documentation: docs/languages.md, "C++".
 */
#ifndef LAMBDA_PLUGIN_HPP
#define LAMBDA_PLUGIN_HPP

/* The folder is also a C module for Swift, whose importer reads every header in it as C. */
#if defined(__cplusplus)

#if __cplusplus < 201703L
#error "lambda_plugin.hpp needs C++17 or later: compile with -std=c++17"
#endif

#include "lambda_plugin.h"

#include <cxxabi.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace lambda {

/* An error with a type of the plugin's choosing: thrown from a handler, it is reported as
 * errorType `type` with what() as errorMessage. */
class error : public std::runtime_error {
public:
    error(std::string type, const std::string &message) : std::runtime_error(message), type_(std::move(type)) {}
    const char *type() const noexcept { return type_.c_str(); }

private:
    std::string type_;
};

/* One header to send: views, read only during the call. */
struct header {
    std::string_view name;
    std::string_view value;
};

/* What an outbound call returned. Everything in it is the host's, valid until the next
 * http call made with the same invocation, or until the handler returns. */
struct http_response {
    /* LAMBDA_OK when a response arrived (whatever its code); LAMBDA_E_HTTP_NOT_SENT,
     * LAMBDA_E_HTTP_FAILED (last_error() says why), LAMBDA_E_INVALID or
     * LAMBDA_E_UNSUPPORTED (a host before ABI 1.2) otherwise. */
    lambda_status status = LAMBDA_E_UNSUPPORTED;
    /* The HTTP status, e.g. 200; 0 when status is not LAMBDA_OK. */
    int32_t code = 0;
    std::string_view body;
    const lambda_http_header *headers = nullptr;
    size_t header_count = 0;

    bool ok() const noexcept { return status == LAMBDA_OK; }

    /* The first header named `name` (ASCII case ignored), or an empty view. */
    std::string_view header(std::string_view name) const noexcept {
        for (size_t i = 0; i < header_count; i++) {
            std::string_view candidate(headers[i].name, headers[i].name_size);
            if (candidate.size() != name.size()) continue;
            bool same = true;
            for (size_t c = 0; c < name.size() && same; c++) same = lower(candidate[c]) == lower(name[c]);
            if (same) return std::string_view(headers[i].value, headers[i].value_size);
        }
        return {};
    }

private:
    static char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
};

/* The host services that need no invocation: what the init hook gets (for the
 * invocation's own, see lambda::invocation). Cheap to copy: two pointers. */
class services {
public:
    services(const lambda_host_api *host, const lambda_invocation *invocation) noexcept
        : host_(host), invocation_(invocation) {}

    const lambda_host_api *host() const noexcept { return host_; }
    /* The host's ABI minor version (3 for 1.3). */
    uint16_t abi_minor() const noexcept { return host_->abi_minor; }

    /* One line in the function's log, below AWS_LAMBDA_LOG_LEVEL dropped. */
    void log(std::string_view message, int32_t level = LAMBDA_LOG_INFO) const noexcept {
        host_->log(invocation_, level, message.data(), message.size());
    }

    http_response http_get(std::string_view url) const { return http_request("GET", url); }

    /* Sends a request through the host's pooled connections and waits for the answer. */
    http_response http_request(std::string_view method, std::string_view url, std::string_view body = {},
                               std::initializer_list<header> headers = {}, int64_t timeout_ms = 0) const {
        std::vector<lambda_http_header> list;
        list.reserve(headers.size());
        for (const header &h : headers) list.push_back({h.name.data(), h.name.size(), h.value.data(), h.value.size()});
        const std::string method_text(method), url_text(url);
        lambda_http_request request = {static_cast<uint32_t>(sizeof(lambda_http_request)),
                                       0,
                                       method_text.c_str(),
                                       url_text.c_str(),
                                       list.empty() ? nullptr : list.data(),
                                       list.size(),
                                       body.empty() ? nullptr : body.data(),
                                       body.size(),
                                       timeout_ms,
                                       nullptr,
                                       nullptr};
        return send(request, LAMBDA_HOST_HAS(host_, last_error));
    }

    /* Calls an AWS JSON-protocol operation, signed by the host (ABI 1.3):
     * aws_json("dynamodb", "DynamoDB_20120810.GetItem", R"({...})"). */
    http_response aws_json(const char *service, const char *target, std::string_view json) const {
        lambda_http_response raw = {};
        lambda_status status = lambda_aws_json(host_, invocation_, service, target, json.data(), json.size(), &raw);
        return wrap(status, raw);
    }

    /* Why the last http call failed, naming the destination; empty after a success. */
    std::string_view last_error() const noexcept { return lambda_http_error(host_, invocation_); }

protected:
    const lambda_host_api *host_;
    const lambda_invocation *invocation_;

private:
    http_response send(const lambda_http_request &request, bool supported) const noexcept {
        lambda_http_response raw = {static_cast<uint32_t>(sizeof(lambda_http_response)), 0, nullptr, 0, nullptr, 0};
        lambda_status status = supported ? host_->http_request(invocation_, &request, &raw) : LAMBDA_E_UNSUPPORTED;
        return wrap(status, raw);
    }

    static http_response wrap(lambda_status status, const lambda_http_response &raw) noexcept {
        http_response response;
        response.status = status;
        if (status != LAMBDA_OK) return response;
        response.code = raw.status;
        if (raw.body) response.body = std::string_view(raw.body, raw.body_size);
        response.headers = raw.headers;
        response.header_count = raw.header_count;
        return response;
    }
};

/* A streamed answer (ABI 1.1), begun by invocation::stream(). Ends the stream when it
 * goes out of scope, unless an exception is leaving the scope: the boundary then reports
 * it in the stream's trailers. Move-only. */
class stream {
public:
    stream(const lambda_invocation *invocation, lambda_status begun) noexcept
        : invocation_(invocation), status_(begun), exceptions_(std::uncaught_exceptions()) {}
    stream(stream &&other) noexcept
        : invocation_(std::exchange(other.invocation_, nullptr)), status_(other.status_), exceptions_(other.exceptions_) {}
    stream(const stream &) = delete;
    stream &operator=(const stream &) = delete;
    stream &operator=(stream &&) = delete;
    ~stream() {
        if (std::uncaught_exceptions() == exceptions_) end();
    }

    /* How stream_begin went: LAMBDA_OK, or LAMBDA_E_UNSUPPORTED on a host before 1.1. */
    lambda_status status() const noexcept { return status_; }

    /* Sends `bytes` as one chunk before it returns. */
    lambda_status write(std::string_view bytes) noexcept {
        if (status_ != LAMBDA_OK || invocation_ == nullptr) return status_ != LAMBDA_OK ? status_ : LAMBDA_E_INVALID;
        return invocation_->host->stream_write(invocation_, bytes.data(), bytes.size());
    }

    /* Ends the stream now; later writes are refused. */
    lambda_status end() noexcept {
        if (status_ != LAMBDA_OK || invocation_ == nullptr) return status_ != LAMBDA_OK ? status_ : LAMBDA_E_INVALID;
        const lambda_invocation *invocation = std::exchange(invocation_, nullptr);
        return invocation->host->stream_end(invocation);
    }

private:
    const lambda_invocation *invocation_;
    lambda_status status_;
    int exceptions_;
};

/* One invocation, as a handler sees it: a view over the host's lambda_invocation, valid
 * until the handler returns. Never keep it, nor any view it returns, past that. */
class invocation : public services {
public:
    explicit invocation(const lambda_invocation *raw) noexcept : services(raw->host, raw), raw_(raw) {}

    const lambda_invocation *raw() const noexcept { return raw_; }

    /* The event, byte for byte. */
    std::string_view payload() const noexcept { return std::string_view(raw_->payload, raw_->payload_size); }
    std::string_view request_id() const noexcept { return text(raw_->request_id); }
    std::string_view invoked_function_arn() const noexcept { return text(raw_->invoked_function_arn); }
    /* Empty when Lambda sent none (as for the three below). */
    std::string_view trace_id() const noexcept { return text(raw_->trace_id); }
    std::string_view client_context() const noexcept { return text(raw_->client_context); }
    std::string_view cognito_identity() const noexcept { return text(raw_->cognito_identity); }
    std::string_view tenant_id() const noexcept { return text(raw_->tenant_id); }
    int64_t deadline_ms() const noexcept { return raw_->deadline_ms; }
    int64_t remaining_time_ms() const noexcept { return host_->remaining_time_ms(raw_); }

    /* The state built by LAMBDA_CXX_PLUGIN_STATE(State, ...), or nullptr without one. */
    template <class State> State *state() const noexcept { return static_cast<State *>(raw_->state); }

    /* Answers with `bytes` (usually JSON); the host copies them. Once per invocation. */
    lambda_status respond(std::string_view bytes) const noexcept {
        return host_->respond(raw_, bytes.data(), bytes.size());
    }

    /* Answers with an error of `type` (e.g. "InvalidInput") and `message`. */
    lambda_status fail(std::string_view type, std::string_view message) const {
        return host_->fail(raw_, std::string(type).c_str(), std::string(message).c_str());
    }

    /* Begins a streamed answer whose Content-Type is `content_type` (empty:
     * application/octet-stream). */
    lambda::stream stream(std::string_view content_type = {}) const {
        if (!LAMBDA_HOST_HAS(host_, stream_end)) return lambda::stream(raw_, LAMBDA_E_UNSUPPORTED);
        const std::string type(content_type);
        return lambda::stream(raw_, host_->stream_begin(raw_, type.empty() ? nullptr : type.c_str()));
    }

    /* Begins a streamed answer to a function URL with its status, headers (a JSON object)
     * and cookies (a JSON array of strings). */
    lambda::stream stream_http(int status_code, const char *headers_json = nullptr,
                               const char *cookies_json = nullptr) const noexcept {
        return lambda::stream(raw_, lambda_stream_http_begin(raw_, status_code, headers_json, cookies_json));
    }

private:
    static std::string_view text(const char *value) noexcept { return value ? std::string_view(value) : std::string_view(); }
    const lambda_invocation *raw_;
};

namespace detail {

/* The readable name of a type ("std::invalid_argument"), or its mangled one. */
inline std::string type_name(const std::type_info &type) {
    int status = 0;
    char *demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    std::string name = status == 0 && demangled ? demangled : type.name();
    std::free(demangled);
    return name;
}

/* Reports the exception being handled through `fail` (the invocation's or INIT's); the
 * texts are built inside a try, so that a bad_alloc meanwhile still reports something. */
template <class Fail> lambda_status report_current_exception(Fail fail) noexcept {
    try {
        try {
            throw;
        } catch (const lambda::error &e) {
            fail(e.type(), e.what());
        } catch (const std::exception &e) {
            fail(type_name(typeid(e)).c_str(), e.what());
        } catch (...) {
            const std::type_info *thrown = abi::__cxa_current_exception_type();
            std::string message = "threw a value of type " + (thrown ? type_name(*thrown) : std::string("unknown")) +
                                  ", which is not a std::exception";
            fail("Cxx.Exception", message.c_str());
        }
    } catch (...) {
        fail("Cxx.Exception", "an exception was thrown, and reporting it failed (out of memory)");
    }
    return LAMBDA_ERROR;
}

/* Runs a handler `function(lambda::invocation &)` inside the boundary. A handler that
 * returns a string (or anything a string_view is made from) responds with it. */
template <class Function> lambda_status run(const lambda_invocation *raw, Function &&function) noexcept {
    if (raw == nullptr) return LAMBDA_E_INVALID;
    try {
        invocation current(raw);
        using Result = std::invoke_result_t<Function &, invocation &>;
        if constexpr (std::is_void_v<Result>) {
            function(current);
            return LAMBDA_OK;
        } else {
            const Result result = function(current);
            return current.respond(std::string_view(result)) == LAMBDA_OK ? LAMBDA_OK : LAMBDA_ERROR;
        }
    } catch (...) {
        return report_current_exception([raw](const char *type, const char *message) {
            if (raw->host->fail(raw, type, message) != LAMBDA_OK) {
                /* Already answered: the error would be lost, so it goes to the log. */
                std::string_view line = message;
                raw->host->log(raw, LAMBDA_LOG_ERROR, line.data(), line.size());
            }
        });
    }
}

/* The init and shutdown hooks for a State built from lambda::services in INIT. */
template <class State> struct state_hooks {
    static lambda_status init(const lambda_host_api *host, void **state) noexcept {
        try {
            *state = new State(services(host, nullptr));
            return LAMBDA_OK;
        } catch (...) {
            return report_current_exception(
                [host](const char *type, const char *message) { host->fail(nullptr, type, message); });
        }
    }
    static void shutdown(void *state) noexcept { delete static_cast<State *>(state); }
};

}  // namespace detail
}  // namespace lambda

/* The plugin's entry point (lambda_plugin_v1, with C linkage) for a plugin without state:
 * NAME and VERSION are string literals, FLAGS LAMBDA_PLUGIN_* flags or 0. */
#define LAMBDA_CXX_PLUGIN(NAME, VERSION, FLAGS) LAMBDA_PLUGIN_DEFINE_FLAGS(NAME, VERSION, NULL, NULL, FLAGS)

/* The entry point for a plugin whose state is a STATE, built in INIT by
 * STATE(lambda::services) (a throw is INIT's error) and destroyed at SHUTDOWN; a handler
 * reads it with invocation.state<STATE>(). */
#define LAMBDA_CXX_PLUGIN_STATE(STATE, NAME, VERSION, FLAGS)                                              \
    LAMBDA_PLUGIN_DEFINE_FLAGS(NAME, VERSION, &::lambda::detail::state_hooks<STATE>::init,               \
                               &::lambda::detail::state_hooks<STATE>::shutdown, FLAGS)

/* Exports SYMBOL (the name _HANDLER gives, "handler" by default) with C linkage, running
 * FUNCTION(lambda::invocation &) inside the exception boundary. */
#define LAMBDA_CXX_HANDLER(SYMBOL, FUNCTION)                                             \
    extern "C" LAMBDA_EXPORT lambda_status SYMBOL(const lambda_invocation *invocation) { \
        return ::lambda::detail::run(invocation, FUNCTION);                              \
    }

#elif !defined(__swift__)
#error "lambda_plugin.hpp is C++17; a C plugin includes lambda_plugin.h"
#endif /* __cplusplus */

#endif /* LAMBDA_PLUGIN_HPP */
