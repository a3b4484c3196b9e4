# Build stage: compile the release binary.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin empower

# Runtime stage: a slim Debian with only the binary, run as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/empower --create-home empower \
    && install -d -o empower -g empower /var/lib/empower/files
COPY --from=build /src/target/release/empower /usr/local/bin/empower
WORKDIR /var/lib/empower
ENV EMPOWER_BIND=0.0.0.0:8080 \
    EMPOWER_DATABASE_URL=/var/lib/empower/empower.db \
    EMPOWER_FILES_DIR=/var/lib/empower/files \
    RUST_LOG=info
EXPOSE 8080
USER empower
ENTRYPOINT ["/usr/local/bin/empower"]
CMD ["serve"]
