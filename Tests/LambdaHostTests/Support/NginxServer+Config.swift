import Glibc

extension NginxServer {
    /// nginx.conf for a prefix: every path nginx writes (logs, pid, temp folders) is in it,
    /// so nginx runs as any user. `ports`: plain, TLS, expired, other host, other CA.
    static func config(
        prefix: String, ports: [Int], certificates: TestCertificates, keepaliveTimeout: String, keepaliveRequests: Int,
        sslProtocols: String
    ) -> String {
        // The same locations in every server, so a TLS failure is the certificate's alone.
        let locations = """
                root \(prefix)/html;
                default_type text/plain;
                location = /1k { }
                location = /big-file { default_type application/octet-stream; }
                location = /big { echo_duplicate $big_bytes "x"; }
                location = /chunked { echo -n "first,"; echo_flush; echo -n "second,"; echo_flush; echo -n "third"; }
                location = /delay { echo_sleep $delay_seconds; echo -n "slept"; }
                location = /slow-body { echo -n "head,"; echo_flush; echo_sleep $delay_seconds; echo -n "tail"; }
                location = /release.json {
                    default_type application/json;
                    return 200 '{"tag_name":"v2.4.1","name":"Two Four One","draft":false}';
                }
                location = /status/204 { return 204; }
                location = /status/304 { return 304; }
                location = /status/500 { return 500; }
                location = /drop { return 444; }
                location /echo {
                    add_header X-Seen-Host $http_host;
                    add_header X-Seen-Trace-Id $http_x_amzn_trace_id;
                    echo_read_request_body;
                    echo -n $echo_client_request_headers;
                    echo_request_body;
                }
                # Stand-ins for AWS endpoints (AWS_ENDPOINT_URL_<SERVICE> pointed here): a
                # DynamoDB GetItem answer whose "title" holds the signed request's headers,
                # and the error documents of DynamoDB and S3.
                location /aws/dynamodb/ {
                    default_type application/x-amz-json-1.0;
                    add_header x-amzn-RequestId FIXTURE-DDB-1 always;
                    return 200 '{"Item":{"id":{"S":"n1"},"title":{"S":"target=$http_x_amz_target|type=$content_type|date=$http_x_amz_date|authorization=$http_authorization"}}}';
                }
                location /aws/dynamodb-error/ {
                    default_type application/x-amz-json-1.0;
                    add_header x-amzn-RequestId FIXTURE-DDB-2 always;
                    return 400 '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}';
                }
                location /aws/s3-error/ {
                    default_type application/xml;
                    return 404 '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist &amp; never did</Message><BucketName>notes-bucket</BucketName><RequestId>FIXTURE-S3-1</RequestId></Error>';
                }
                location = /odd-headers { include \(prefix)/odd-headers.conf; return 200 "odd\\n"; }
                location = /nginx_status { stub_status; access_log off; }
                location / { return 404; }
            """
        func server(_ listen: String, _ leaf: TestCertificates.Leaf?) -> String {
            var text = "    server {\n\(listen)"
            if let leaf { text += "        ssl_certificate \(leaf.certificate);\n        ssl_certificate_key \(leaf.key);\n" }
            return text + locations + "\n    }\n"
        }
        // As root, nginx would run its worker as nobody; the current user owns the prefix.
        let user = geteuid() == 0 ? "user root;\n" : ""
        return """
            load_module \(echoModule);
            \(user)worker_processes 1;
            events { worker_connections 1024; }
            http {
                log_format fixture '$connection $connection_requests $request_method $request_uri $status';
                access_log \(prefix)/access.log fixture;
                client_body_temp_path \(prefix)/temp/body;
                proxy_temp_path \(prefix)/temp/proxy;
                fastcgi_temp_path \(prefix)/temp/fastcgi;
                uwsgi_temp_path \(prefix)/temp/uwsgi;
                scgi_temp_path \(prefix)/temp/scgi;
                client_max_body_size 64m;
                client_body_buffer_size 1m;
                keepalive_timeout \(keepaliveTimeout);
                keepalive_requests \(keepaliveRequests);
                ssl_protocols \(sslProtocols);
                ssl_session_cache shared:tls:1m;
                ssl_session_tickets on;
                # echo_sleep takes seconds: ?ms=1500 becomes 01.500, ?ms=25 0.025.
                map $arg_ms $delay_seconds {
                    "~^(\\d*)(\\d{3})$" "0$1.$2";
                    "~^(\\d\\d)$" "0.0$1";
                    "~^(\\d)$" "0.00$1";
                    default 0;
                }
                map $arg_bytes $big_bytes { "~^\\d+$" $arg_bytes; default 0; }
            \(server("        listen 127.0.0.1:\(ports[0]);\n        listen 127.0.0.1:\(ports[1]) ssl;\n", certificates.server))\
            \(server("        listen 127.0.0.1:\(ports[2]) ssl;\n", certificates.expired))\
            \(server("        listen 127.0.0.1:\(ports[3]) ssl;\n", certificates.otherHost))\
            \(server("        listen 127.0.0.1:\(ports[4]) ssl;\n", certificates.otherCA))\
            }

            """
    }
}
