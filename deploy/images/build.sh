#!/usr/bin/env bash
# Builds images from Debian's packages for machines that reach no container registry
# (air-gapped networks, CI here):
#   postgres  PostgreSQL 15, behaving like the official `postgres` image
#   rabbitmq  RabbitMQ 3.10 with management, behaving like the official `rabbitmq:*-management`
#   prometheus Prometheus 2.42 (docker-compose's monitoring profile), in place of prom/prometheus
#   aspnet    a .NET base image with this machine's ASP.NET Core runtime, in place of
#             mcr.microsoft.com/dotnet/aspnet, for the MdrMesh services
#   smtp4dev  smtp4dev 3.15.0 (a fake SMTP server: SMTP on 25, web UI and API on 80, mail kept in
#             memory) in place of rnwood/smtp4dev: the NuGet .NET tool on the aspnet image (built first)
# "Behaving like" covers what MdrMesh and Testcontainers use: POSTGRES_USER/PASSWORD/DB,
# RABBITMQ_DEFAULT_USER/PASS, server arguments, readiness log lines, pg_isready, rabbitmq-diagnostics.
#
#   deploy/images/build.sh [--force] [postgres] [rabbitmq] [prometheus] [aspnet] [smtp4dev]
# Without names: postgres and rabbitmq. Images already built are reused, quietly; --force rebuilds.
# Names: $MDRMESH_LOCAL_*_IMAGE (see deploy/lib/common.sh). Mirror: $MDRMESH_DEBIAN_MIRROR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"

force=0
wanted=()
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    postgres|rabbitmq|prometheus|aspnet|smtp4dev) wanted+=("$arg") ;;
    *) die "unknown image '$arg' (postgres, rabbitmq, prometheus, aspnet, smtp4dev)" ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=(postgres rabbitmq)

image_of() {
  case $1 in
    postgres) echo "$MDRMESH_LOCAL_POSTGRES_IMAGE" ;;
    rabbitmq) echo "$MDRMESH_LOCAL_RABBITMQ_IMAGE" ;;
    prometheus) echo "$MDRMESH_LOCAL_PROMETHEUS_IMAGE" ;;
    aspnet) echo "${MDRMESH_LOCAL_ASPNET_IMAGE:?the .NET SDK (dotnet on PATH) is needed to build the aspnet image}" ;;
    smtp4dev) echo "$MDRMESH_LOCAL_SMTP4DEV_IMAGE" ;;
  esac
}

ensure_docker
todo=()
for name in "${wanted[@]}"; do
  if [ $force = 1 ] || ! image_exists "$(image_of "$name")"; then todo+=("$name"); fi
done
[ ${#todo[@]} -eq 0 ] && exit 0
# smtp4dev is built on the aspnet image, so that one comes first (when it is missing or --force rebuilds it).
if [[ " ${todo[*]} " == *" smtp4dev "* ]]; then
  ordered=()
  for name in "${todo[@]}"; do [[ $name = aspnet || $name = smtp4dev ]] || ordered+=("$name"); done
  if [[ " ${todo[*]} " == *" aspnet "* ]] || ! image_exists "$(image_of aspnet)"; then ordered+=(aspnet); fi
  todo=("${ordered[@]}" smtp4dev)
fi

mirror=${MDRMESH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d /var/tmp/mdrmesh-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
buildlog="$work/build.log"
run() { "$@" >>"$buildlog" 2>&1 || { tail -n 40 "$buildlog" >&2; die "image build failed at: $*"; }; }

log "building local images: ${todo[*]} (a few minutes, once)"
# Every image but smtp4dev starts from a minimal Debian.
if [ "${todo[*]}" != smtp4dev ]; then
  ensure_packages debootstrap
  run debootstrap --variant=minbase bookworm "$work/base" "$mirror"
fi

# build NAME PACKAGES -- docker-import changes...
build() {
  local name=$1 packages=$2 root="$work/$1" image
  image=$(image_of "$name")
  shift 3
  cp -a "$work/base" "$root"
  # No init system in an image: keep package scripts from starting services.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  if [ "$name" = postgres ]; then
    mkdir -p "$root/etc/postgresql-common"
    echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.conf"
  fi
  run chroot "$root" apt-get update -qq
  run chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages
  run chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
  if [ "$name" = aspnet ]; then
    # The runtime, not the SDK: the host, its resolver, and the two shared frameworks of this version.
    local dotnet version
    dotnet=$(dotnet_root)
    version=$(aspnet_version)
    mkdir -p "$root/usr/share/dotnet/shared/Microsoft.NETCore.App" "$root/usr/share/dotnet/shared/Microsoft.AspNetCore.App"
    cp -a "$dotnet/dotnet" "$dotnet/host" "$root/usr/share/dotnet/"
    cp -a "$dotnet/shared/Microsoft.NETCore.App/$version" "$root/usr/share/dotnet/shared/Microsoft.NETCore.App/"
    cp -a "$dotnet/shared/Microsoft.AspNetCore.App/$version" "$root/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
    ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
    # The same unprivileged user as the official .NET images.
    run chroot "$root" useradd --uid 1654 --user-group --no-create-home --home-dir /app app
  fi
  if [ "$name" = prometheus ]; then
    # The data directory, as in prom/prometheus: owned by nobody, whom it runs as.
    mkdir -p "$root/prometheus"
    chown 65534:65534 "$root/prometheus"
  fi
  install -m 755 "$here/$name/"*.sh "$root/usr/local/bin/"
  tar --numeric-owner -C "$root" -c . | docker import "$@" - "$image" >>"$buildlog" 2>&1 \
    || { tail -n 40 "$buildlog" >&2; die "docker import of $image failed"; }
}

for name in "${todo[@]}"; do
  case $name in
    postgres)
      build postgres postgresql-15 -- \
        --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV PGDATA=/var/lib/postgresql/data' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'EXPOSE 5432' \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["postgres"]'
      ;;
    rabbitmq)
      build rabbitmq rabbitmq-server -- \
        --change 'ENV PATH=/usr/lib/rabbitmq/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'EXPOSE 5672 15672' \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["rabbitmq-server"]'
      ;;
    prometheus)
      build prometheus prometheus -- \
        --change 'ENV LANG=C.UTF-8' \
        --change 'EXPOSE 9090' \
        --change 'USER nobody' \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
      ;;
    aspnet)
      build aspnet "libicu72 libssl3 ca-certificates zlib1g tzdata" -- \
        --change 'ENV DOTNET_ROOT=/usr/share/dotnet' \
        --change 'ENV ASPNETCORE_HTTP_PORTS=8080' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'EXPOSE 8080' \
        --change 'WORKDIR /app'
      ;;
    smtp4dev)
      # The tool from NuGet, for this machine's runtime identifier; the image takes its files (the apphost's
      # directory: the framework-dependent application, its wwwroot and its native SQLite).
      run dotnet tool install Rnwood.Smtp4dev --version 3.15.0 --tool-path "$work/smtp4dev-tool"
      app=$(dirname "$(readlink -f "$work/smtp4dev-tool/smtp4dev")")
      run docker build --build-arg BASE_IMAGE="$(image_of aspnet)" -f "$here/smtp4dev/Dockerfile" -t "$(image_of smtp4dev)" "$app"
      ;;
  esac
done
