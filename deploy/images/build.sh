#!/usr/bin/env bash
# Builds PostgreSQL and RabbitMQ images from Debian's packages for machines that reach no
# container registry (air-gapped networks, CI here). The images behave like the official
# `postgres` and `rabbitmq:*-management` images for what MdrMesh and Testcontainers use:
# POSTGRES_USER/PASSWORD/DB, RABBITMQ_DEFAULT_USER/PASS, server arguments, log lines.
#
#   deploy/images/build.sh            build the images that are missing (quiet when none are)
#   deploy/images/build.sh --force    rebuild both
#
# Image names: $MDRMESH_LOCAL_POSTGRES_IMAGE, $MDRMESH_LOCAL_RABBITMQ_IMAGE (see lib/common.sh).
# Debian mirror: $MDRMESH_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"

force=0
[ "${1:-}" = --force ] && force=1

ensure_docker
todo=()
[ $force = 1 ] || ! image_exists "$MDRMESH_LOCAL_POSTGRES_IMAGE" && todo+=(postgres)
[ $force = 1 ] || ! image_exists "$MDRMESH_LOCAL_RABBITMQ_IMAGE" && todo+=(rabbitmq)
[ ${#todo[@]} -eq 0 ] && exit 0

ensure_packages debootstrap
mirror=${MDRMESH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d /var/tmp/mdrmesh-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
buildlog="$work/build.log"
run() { "$@" >>"$buildlog" 2>&1 || { tail -n 40 "$buildlog" >&2; die "image build failed at: $*"; }; }

log "building local images from Debian packages: ${todo[*]} (a few minutes, once)"
run debootstrap --variant=minbase bookworm "$work/base" "$mirror"

# build NAME IMAGE PACKAGES -- docker-import changes...
build() {
  local name=$1 image=$2 packages=$3 root="$work/$1"
  shift 4
  cp -a "$work/base" "$root"
  # No init system in an image: keep package scripts from starting services.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  [ "$name" = postgres ] && mkdir -p "$root/etc/postgresql-common" &&
    echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.conf"
  run chroot "$root" apt-get update -qq
  run chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages
  run chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
  install -m 755 "$here/$name/"*.sh "$root/usr/local/bin/"
  tar --numeric-owner -C "$root" -c . | docker import "$@" - "$image" >>"$buildlog" 2>&1 \
    || { tail -n 40 "$buildlog" >&2; die "docker import of $image failed"; }
}

for name in "${todo[@]}"; do
  case $name in
    postgres)
      build postgres "$MDRMESH_LOCAL_POSTGRES_IMAGE" postgresql-15 -- \
        --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV PGDATA=/var/lib/postgresql/data' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'EXPOSE 5432' \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["postgres"]'
      ;;
    rabbitmq)
      build rabbitmq "$MDRMESH_LOCAL_RABBITMQ_IMAGE" rabbitmq-server -- \
        --change 'ENV PATH=/usr/lib/rabbitmq/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'EXPOSE 5672 15672' \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["rabbitmq-server"]'
      ;;
  esac
done
