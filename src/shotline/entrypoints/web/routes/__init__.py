"""Page routers: each module exposes `router`, included by `mount_web`."""
