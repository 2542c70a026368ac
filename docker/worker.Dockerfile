# syntax=docker/dockerfile:1
# codeshard worker image: a cluster member with role "worker" that hosts code contexts and their
# Python / JavaScript / TypeScript interpreter processes.
#
#   docker build -f docker/worker.Dockerfile -t codeshard-worker .      (build context: the repository root)

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

# --- the interpreter runtime scripts, with the Node runtime's npm packages from the committed lockfile ----
FROM node:20-bookworm-slim AS runtime-scripts
WORKDIR /runtime
COPY cluster-node/src/main/runtime/ ./
RUN cd node && npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- the image: Debian 12, its JRE 17 and Python stack (numpy, pandas, matplotlib, IPython, Pillow), Node 20 --
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless python3 python3-numpy python3-pandas python3-matplotlib python3-ipython python3-pil \
      ca-certificates curl tini \
 && rm -rf /var/lib/apt/lists/*
# Debian 12 ships Node 18; the runtime needs 20 (same glibc as bookworm, so the binary runs as is).
COPY --from=runtime-scripts /usr/local/bin/node /usr/local/bin/node
RUN groupadd --system --gid 10001 codeshard \
 && useradd --system --uid 10001 --gid codeshard --home-dir /var/lib/codeshard --shell /usr/sbin/nologin codeshard \
 && mkdir -p /var/lib/codeshard \
 && chown codeshard:codeshard /var/lib/codeshard
COPY --from=build /out/lib/ /opt/codeshard/lib/
COPY --from=runtime-scripts /runtime/ /opt/codeshard/runtime/
# The JVM (options in JDK_JAVA_OPTIONS, read by the java launcher) gets a small share of the memory limit:
# the interpreters it spawns need the rest. Management binds every interface (probes, HEALTHCHECK) and
# advertises CODESHARD_MANAGEMENT_HOST, which the deployment sets to the address others reach it at.
ENV CODESHARD_ROLES=worker \
    CODESHARD_DATA_DIR=/var/lib/codeshard \
    CODESHARD_RUNTIME_DIR=/opt/codeshard/runtime \
    CODESHARD_CLUSTER_PORT=25520 \
    CODESHARD_MANAGEMENT_PORT=8558 \
    CODESHARD_MANAGEMENT_BIND_HOST=0.0.0.0 \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=30 -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
WORKDIR /var/lib/codeshard
# Artery (cluster traffic) and Pekko Management (bootstrap, /ready, /alive)
EXPOSE 25520 8558
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${CODESHARD_MANAGEMENT_PORT}/alive" || exit 1
# tini reaps interpreter processes orphaned by a crash and forwards SIGTERM to the JVM (coordinated shutdown).
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-cp", "/opt/codeshard/lib/*", "io.codeshard.gateway.Main"]
