"""docker-py (Debian's python3-docker) against the engine at $DOCKER_HOST: the calls Python users make.

Run by DockerPyIT with /usr/bin/python3, against berthd and against dockerd alike. Every check is an
assert; the script prints one line per flow and "passed" at the end, and exits non-zero on the first
failure. Containers are named py-*, and removed even when a check fails.
"""
import threading

import docker

client = docker.from_env(version="auto")
api = client.api


def cleanup():
    for container in client.containers.list(all=True, filters={"name": "py-"}):
        container.remove(force=True)


def run_flows():
    assert client.ping()
    assert client.version()["ApiVersion"]

    # run, attached and detached: output, exit codes, ContainerError with stderr
    assert client.containers.run("busybox", ["echo", "hello"], remove=True) == b"hello\n"
    try:
        client.containers.run("busybox", ["sh", "-c", "echo oops >&2; exit 2"], remove=True)
        raise AssertionError("no ContainerError")
    except docker.errors.ContainerError as error:
        assert error.exit_status == 2, error.exit_status
        assert error.stderr == b"oops\n", error.stderr
    detached = client.containers.run("busybox", ["sh", "-c", "echo out; echo err >&2; exit 3"], detach=True,
                                     name="py-detached", environment={"A": "b"})
    assert detached.wait() == {"StatusCode": 3, "Error": None}
    assert detached.logs(stdout=True, stderr=False) == b"out\n"
    assert detached.logs(stdout=False, stderr=True) == b"err\n"
    detached.reload()
    assert detached.status == "exited"
    assert "A=b" in detached.attrs["Config"]["Env"]
    detached.remove()
    print("run: ok")

    # wait conditions: not-running answers at once for a created container; next-exit and removed
    # end when it exits and when it is removed
    created = client.containers.create("busybox", ["sleep", "1"], name="py-waited")
    assert api.wait(created.id, condition="not-running")["StatusCode"] == 0
    results = {}

    def wait_for(condition):
        results[condition] = api.wait(created.id, condition=condition, timeout=60)

    waiters = [threading.Thread(target=wait_for, args=(c,)) for c in ("next-exit", "removed")]
    for waiter in waiters:
        waiter.start()
    created.start()
    created.reload()
    assert created.status == "running"
    assert created.wait()["StatusCode"] == 0
    created.remove()
    for waiter in waiters:
        waiter.join(60)
    assert results == {"next-exit": {"StatusCode": 0, "Error": None},
                       "removed": {"StatusCode": 0, "Error": None}}, results
    print("wait: ok")

    # exec: output, exit code, user, workdir, environment, inspect
    target = client.containers.run("busybox", ["sleep", "300"], detach=True, name="py-exec")
    result = target.exec_run(["sh", "-c", "echo $(id -u) $(pwd) $A"], user="nobody", workdir="/tmp",
                             environment={"A": "z"})
    assert result.exit_code == 0 and result.output == b"65534 /tmp z\n", result
    exec_id = api.exec_create(target.id, ["sh", "-c", "exit 4"])["Id"]
    api.exec_start(exec_id)
    inspected = api.exec_inspect(exec_id)
    assert inspected["ExitCode"] == 4 and inspected["Running"] is False, inspected
    assert inspected["ProcessConfig"]["entrypoint"] == "sh", inspected
    print("exec: ok")

    # the state operations
    assert target.top()["Titles"][0] == "UID"
    stats = target.stats(stream=False)
    assert stats["memory_stats"]["usage"] > 0 and stats["pids_stats"]["current"] >= 1, stats
    target.pause()
    target.reload()
    assert target.status == "paused"
    target.unpause()
    target.rename("py-renamed")
    target.reload()
    assert target.name == "py-renamed"
    target.kill(signal="SIGKILL")
    assert target.wait()["StatusCode"] == 137
    target.remove()
    print("state: ok")

    # errors as docker-py's exceptions
    try:
        client.containers.get("py-nope")
        raise AssertionError("no NotFound")
    except docker.errors.NotFound as error:
        assert "No such container: py-nope" in error.explanation, error.explanation
    busy = client.containers.run("busybox", ["sleep", "300"], detach=True, name="py-busy")
    try:
        client.containers.create("busybox", name="py-busy")
        raise AssertionError("no Conflict")
    except docker.errors.APIError as error:
        assert error.status_code == 409, error
    try:
        busy.remove()
        raise AssertionError("removed a running container")
    except docker.errors.APIError as error:
        assert error.status_code == 409, error
    busy.remove(force=True)
    print("errors: ok")


try:
    run_flows()
finally:
    cleanup()
print("passed")
