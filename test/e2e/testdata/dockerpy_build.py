# docker-py's images.build against berth's API: the image and its log, a
# tag, and BuildError for a failing step. Usage: python3 dockerpy_build.py URI DIR
import os
import sys

import docker
from docker.errors import BuildError

c = docker.DockerClient(base_url=sys.argv[1], version="auto")
img, logs = c.images.build(path=sys.argv[2], tag="pybuilt:1", rm=True)
text = "".join(x.get("stream", "") for x in logs)
assert "Successfully built" in text, text
assert any(t.endswith("pybuilt:1") for t in img.tags), img.tags
assert c.images.get("pybuilt:1").id == img.id
out = c.containers.run("pybuilt:1", ["cat", "/built.txt"], remove=True)
assert out == b"built\n", out

# A gzip-compressed context, built again from the cache.
img2, _ = c.images.build(path=sys.argv[2], tag="pybuilt:gz", gzip=True, buildargs={"X": "y"})
assert img2.id == img.id, (img2.id, img.id)

with open(os.path.join(sys.argv[2], "Dockerfile"), "w") as f:
    f.write("FROM busybox\nRUN exit 4\n")
try:
    c.images.build(path=sys.argv[2], tag="pybad", forcerm=True)
    raise AssertionError("a failing build did not raise")
except BuildError as e:
    assert "exit status 4" in str(e), str(e)
assert c.containers.list(all=True) == [], c.containers.list(all=True)
print("ok")
