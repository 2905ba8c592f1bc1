# A single-node Slurm cluster on localhost for the scripts in Tests/Cluster (sourced, not run).
# Needs root and slurm-wlm + munge installed; the caller defines ok, abort and skip. After
# `start_cluster`: SLURM_CONF is exported, WORK is a temporary directory, and every daemon
# started is in PIDS and stopped by its PID (then WORK removed) when the shell exits.

start_cluster() {
    START=$(date +%s)
    WORK=$(mktemp -d /tmp/ntk-slurm-cluster.XXXXXX)
    chmod 0755 "$WORK"
    PIDS=()
    cleanup() {
        local pid
        for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
        for _ in $(seq 50); do
            local alive=0
            for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
            [ "$alive" -eq 0 ] && break
            sleep 0.1
        done
        for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
        rm -rf "$WORK"
    }
    trap cleanup EXIT
    trap 'abort "interrupted"' INT TERM

    # --- munged, on a private socket, as the munge user -----------------------------------------
    install -d -o munge -g munge -m 0755 "$WORK/munge"
    KEY=/etc/munge/munge.key
    if [ ! -s "$KEY" ]; then
        KEY="$WORK/munge/munge.key"
        mungekey --create --keyfile="$KEY" >/dev/null 2>&1 || abort "mungekey --create failed"
        chown munge:munge "$KEY" && chmod 0400 "$KEY"
    fi
    SOCKET="$WORK/munge/munge.sock"
    setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground --socket="$SOCKET" --key-file="$KEY" \
        --pid-file="$WORK/munge/munged.pid" --seed-file="$WORK/munge/munge.seed" --log-file="$WORK/munge/munged.log" \
        >"$WORK/munged.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done
    [ -S "$SOCKET" ] || { cat "$WORK/munge/munged.log" "$WORK/munged.log" 2>/dev/null | tail -5; skip "munged does not start here (daemons cannot run)"; }

    # --- slurm.conf ------------------------------------------------------------------------------
    HOST=$(hostname -s)
    NODE=$(slurmd -C 2>/dev/null | head -1)
    field() { echo "$NODE" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    SOCKETS=$(field SocketsPerBoard); CORES=$(field CoresPerSocket); THREADS=$(field ThreadsPerCore); MEMORY=$(field RealMemory)
    [ -n "$SOCKETS" ] && [ -n "$CORES" ] && [ -n "$THREADS" ] && [ -n "$MEMORY" ] || abort "slurmd -C gave no node description: $NODE"
    MEMORY=$((MEMORY * 9 / 10))
    PORT=$((20000 + RANDOM % 20000))
    mkdir -p "$WORK/state" "$WORK/spool"
    export SLURM_CONF="$WORK/slurm.conf"
    cat >"$SLURM_CONF" <<CONF
ClusterName=ntktest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 Sockets=$SOCKETS CoresPerSocket=$CORES ThreadsPerCore=$THREADS RealMemory=$MEMORY State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF

    slurmctld -D -i -f "$SLURM_CONF" >"$WORK/slurmctld.out" 2>&1 &
    PIDS+=($!)
    slurmd -D -f "$SLURM_CONF" >"$WORK/slurmd.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 150); do
        state=$(timeout 5 sinfo -h -n "$HOST" -o %t 2>/dev/null)
        [ "$state" = idle ] && break
        sleep 0.2
    done
    [ "$state" = idle ] || abort "the node did not become idle (state: '${state:-none}')"
    ok "single-node cluster up (munged, slurmctld, slurmd) in $(($(date +%s) - START)) s"
}

# --- helpers ---------------------------------------------------------------------------------
# Waits until none of the given jobs is pending or running (at most $2 seconds).
wait_jobs() {
    local ids=$1 limit=$2 t0
    t0=$(date +%s)
    while [ -n "$(timeout 5 squeue -h -j "$ids" -o %i 2>/dev/null)" ]; do
        [ $(($(date +%s) - t0)) -ge "$limit" ] && return 1
        sleep 0.3
    done
}
# Runs a job script written by `ntk slurm` (with any sbatch options) and prints "ARRAY MERGE",
# the ids of the shard array and the merge job.
submit() { bash "$@" | tee -a "$WORK/submissions.log" | sed -n 's/.*shards: job \([0-9]*\) .*merge: job \([0-9]*\);.*/\1 \2/p'; }
