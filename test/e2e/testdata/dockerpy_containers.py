# docker-py against berth's API: run, list, get, logs, stop, remove, and
# the errors docker-py raises. Usage: python3 dockerpy_containers.py URI
import sys

import docker
from docker.errors import APIError, NotFound

c = docker.DockerClient(base_url=sys.argv[1], version="auto")
assert c.ping() is True
v = c.version()
assert v["ApiVersion"], v

out = c.containers.run("busybox", ["sh", "-c", "echo hi; echo err >&2"], remove=True)
assert out == b"hi\n", out

ct = c.containers.run("busybox", ["sh", "-c", "echo started; exec sleep 1000"], detach=True, name="pyc", labels={"k": "v"})
ct.reload()
assert ct.status == "running", ct.status
assert ct.name == "pyc", ct.name
assert [x.name for x in c.containers.list(filters={"label": "k=v"})] == ["pyc"]
assert c.containers.get("pyc").id == ct.id
for _ in range(100):
    if ct.logs() == b"started\n":
        break
    import time; time.sleep(0.1)
assert ct.logs() == b"started\n", ct.logs()
ct.stop(timeout=1)
ct.reload()
assert ct.status == "exited", ct.status
assert ct.wait()["StatusCode"] == 137, ct.wait()
ct.remove()

try:
    c.containers.get("pyc")
    raise SystemExit("get of a removed container succeeded")
except NotFound:
    pass
c.containers.create("busybox", ["true"], name="pydup")
try:
    c.containers.create("busybox", ["true"], name="pydup")
    raise SystemExit("a duplicate name was accepted")
except APIError as e:
    assert e.status_code == 409, e
c.containers.get("pydup").remove()
print("ok")
