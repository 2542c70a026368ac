# syntax=docker/dockerfile:1
# codeshard gateway image: a stateless cluster member with role "gateway" serving the HTTP faces
# (/v1, Cloudflare-compatible /api, E2B-compatible /execute) through a sharding proxy. No interpreters here.
#
#   docker build -f docker/gateway.Dockerfile -t codeshard-gateway .    (build context: the repository root)

# --- build: every Maven module, then the service's runtime classpath as a folder of jars ---------------
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY protocol protocol
COPY cluster-node cluster-node
COPY api-gateway api-gateway
COPY client client
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests install \
 && mvn -B -q -pl api-gateway dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/out/lib \
 && cp api-gateway/target/api-gateway-*.jar /out/lib/

# --- the image: Debian 12 and its JRE 17 -----------------------------------------------------------------
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless ca-certificates curl tini \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 codeshard \
 && useradd --system --uid 10001 --gid codeshard --home-dir /var/lib/codeshard --shell /usr/sbin/nologin codeshard \
 && mkdir -p /var/lib/codeshard \
 && chown codeshard:codeshard /var/lib/codeshard
COPY --from=build /out/lib/ /opt/codeshard/lib/
ENV CODESHARD_ROLES=gateway \
    CODESHARD_DATA_DIR=/var/lib/codeshard \
    CODESHARD_HTTP_HOST=0.0.0.0 \
    CODESHARD_HTTP_PORT=8080 \
    CODESHARD_CLUSTER_PORT=25520 \
    CODESHARD_MANAGEMENT_PORT=8558 \
    CODESHARD_MANAGEMENT_BIND_HOST=0.0.0.0 \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
WORKDIR /var/lib/codeshard
# HTTP, Artery (cluster traffic) and Pekko Management (bootstrap, /ready, /alive)
EXPOSE 8080 25520 8558
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${CODESHARD_HTTP_PORT}/v1/health" || exit 1
# tini as PID 1 forwards SIGTERM to the JVM (coordinated shutdown: the node leaves the cluster first).
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-cp", "/opt/codeshard/lib/*", "io.codeshard.gateway.Main"]
