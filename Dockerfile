# syntax=docker/dockerfile:1
# The Magpie image: the roles' jar (im-node/target/magpie-roles.jar, ~66 MB) that runs any role,
#   docker run IMAGE gate --config /etc/magpie/magpie.yaml
# It carries no embedded engines (MariaDB, redis-server, the Kafka broker): the roles use the operator's
# servers. standalone, cluster and engines are in im-server/target/magpie.jar, not in the image.
# Build:  docker build -t magpie:dev --build-arg MAGPIE_COMMIT=$(git rev-parse --short=10 HEAD) .
# Used by docker-compose.cluster.yml and deploy/k8s/. See docs/operations.md, "Deploying with
# Docker Compose and Kubernetes". Not built on the project's CI machines (they have no Docker engine).

# ---- build: the Maven wrapper in a JDK image, the same command as the README's ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# the commit that `magpie --version` names (.git is not sent to the build: see .dockerignore)
ARG MAGPIE_COMMIT=unknown
COPY . .
# the cache mount keeps ~/.m2 between builds (BuildKit); -DskipTests compiles but does not run the tests
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -DskipTests -Dmagpie.commit="${MAGPIE_COMMIT}" package -pl im-node -am \
    && cp im-node/target/magpie-roles.jar /magpie-roles.jar

# ---- run: a JRE 17, a non-root user, the roles' jar ----
FROM eclipse-temurin:17-jre
# curl: the compose healthchecks call the health listener with it (Kubernetes probes need nothing in the image)
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 magpie \
    && useradd --system --uid 10001 --gid magpie --home-dir /app --shell /usr/sbin/nologin magpie \
    && mkdir -p /app /etc/magpie \
    && chown magpie:magpie /app
COPY --from=build --chown=root:root /magpie-roles.jar /app/magpie-roles.jar
USER 10001:10001
WORKDIR /app
# gate client TCP, WebSocket, internal push port; LSB; account API; health listener (health.port in our configs)
EXPOSE 7000 7001 7002 8080 8081 8090
# Heap from the container's memory limit rather than a fixed -Xmx, so one image fits every role's size.
# JDK_JAVA_OPTIONS is read by the java launcher: set it in compose/Kubernetes to size a role differently
# (e.g. the gates leave room for Netty's direct buffers). ExitOnOutOfMemoryError is always on: a broken
# JVM exits and is restarted. The JVM is PID 1 (exec form): SIGTERM reaches it, and a gate drains first.
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+UseG1GC"
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/magpie-roles.jar"]
CMD ["--help"]
