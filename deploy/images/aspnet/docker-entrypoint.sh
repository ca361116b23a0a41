#!/bin/sh
# Entry point of the local .NET base image: runs the given command (like the official aspnet image, which has none).
exec "$@"
