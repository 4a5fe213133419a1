# ecsroles-controller: a static musl binary in an empty image.
#   docker build -t ecsroles-controller .
# The image has no shell, no libc and no package manager; it runs as UID 65532.

FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl -p ecsroles-controller \
 && cp target/x86_64-unknown-linux-musl/release/ecsroles-controller /ecsroles-controller \
 # Refuse to ship anything that is not statically linked.
 && ! ldd /ecsroles-controller 2>/dev/null | grep -q '=>'

FROM scratch
# rustls reads the system's CA bundle (to reach IAM/STS and the API server over TLS).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /ecsroles-controller /ecsroles-controller
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/ecsroles-controller"]
