# Sourced by the start, release, backup and restore scripts (from the repository root): in a
# checkout the virtualenv's commands come first; in the image they are the system's.
if [ -x .venv/bin/python ]; then
  PATH="$(pwd)/.venv/bin:$PATH"
  export PATH
fi
# Prometheus multiprocess mode: each process writes its counters into this folder, which must be
# emptied at start (only the metric files: the folder may be shared with other things).
reset_metrics_dir() {
  mkdir -p "$1"
  find "$1" -maxdepth 1 -name '*.db' -type f -delete
}
