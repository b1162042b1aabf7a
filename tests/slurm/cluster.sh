# A throw-away single-node SLURM cluster for the tests (source this file):
#   cluster_start DIR   install slurm-wlm and munge when missing (root), then start munged,
#                       slurmctld and slurmd with a generated slurm.conf and munge key in DIR;
#                       exports SLURM_CONF
#   cluster_stop        stop them (also on exit: trap it)
cluster_start() {
  C=$1
  if [ "$(id -u)" -ne 0 ]; then
    echo "not root: the throw-away cluster runs munged, slurmctld and slurmd as root"
    return 1
  fi
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then apt-get update -qq; fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null; then
      echo "apt-get install slurm-wlm munge failed"
      return 1
    fi
  fi
  mkdir -p "$C"/{state,spool,log,munge}
  head -c 1024 /dev/urandom >"$C/munge/munge.key"
  chmod 600 "$C/munge/munge.key"
  if ! munged --key-file="$C/munge/munge.key" --socket="$C/munge/sock" --pid-file="$C/munge/pid" \
    --log-file="$C/munge/log" --seed-file="$C/munge/seed" -f; then
    echo "munged did not start"; tail -5 "$C/munge/log" 2>/dev/null
    return 1
  fi
  local host port
  host=$(hostname)
  port=$((20000 + RANDOM % 20000))
  cat >"$C/slurm.conf" <<CONF
ClusterName=uclif-test
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$C/munge/sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/log/slurmctld.log
SlurmdLogFile=$C/log/slurmd.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobRequeue=1
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
  export SLURM_CONF=$C/slurm.conf
  if ! slurmctld -c || ! slurmd; then
    echo "slurmctld or slurmd did not start"; tail -5 "$C/log/slurmctld.log" "$C/log/slurmd.log" 2>/dev/null
    return 1
  fi
  for _ in $(seq 1 100); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && return 0
    sleep 0.1
  done
  echo "the test cluster did not come up"; tail -5 "$C/log/slurmctld.log" "$C/log/slurmd.log"
  return 1
}

cluster_stop() {
  [ -n "${C:-}" ] || return 0
  for f in "$C/slurmd.pid" "$C/slurmctld.pid" "$C/munge/pid"; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  sleep 0.3
  for f in "$C/slurmd.pid" "$C/slurmctld.pid" "$C/munge/pid"; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
  done
  return 0
}
