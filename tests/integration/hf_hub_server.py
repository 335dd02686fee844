#!/usr/bin/env python3
"""A local stand-in for the Hugging Face hub, for tests/integration/model_fetch.sh (standard library only).

Serves the checkpoint folder --root under /<owner>/<name>/resolve/<revision>/<file> the way
huggingface.co does: files kept in git answer with their git blob sha1 as ETag; LFS files
(model.safetensors, pytorch_model.bin) answer with a 302 to another host name ("localhost" instead
of "127.0.0.1", standing in for the CDN) carrying X-Linked-Etag = sha256 and X-Linked-Size, and the
CDN answers with an ETag of its own that is no checksum. A missing file is a 404 with
X-Error-Code: EntryNotFound; a revision other than "main" or the fake commit is RevisionNotFound.
Range requests get 206 + Content-Range (416 past the end). Binds 127.0.0.1 on a free port and
prints the port on stdout; every request is logged to --log as
    METHOD PATH range=<Range header or -> auth=<yes|no> -> STATUS

Test switches, by words in the repository name (any combination):
  wrong-sha256  model.safetensors' X-Linked-Etag is the sha256 of other bytes
  wrong-sha1    config.json's ETag is the git blob sha1 of other bytes
  cut           the first GET of model.safetensors stops after --cut-bytes bytes (connection closed)
  pytorch-only  no model.safetensors; a pytorch_model.bin instead
  no-vocab      no vocab.txt (tokenizer.json remains)
  sentence      also serves modules.json (Transformer, Pooling in 1_Pooling, Normalize in 2_Normalize),
                1_Pooling/config.json (mean) and sentence_bert_config.json (max_seq_length 64)
  gated         401 (X-Error-Code: GatedRepo) without "Authorization: Bearer test-token"
"""
import argparse
import hashlib
import http.server
import json
import os
import re
import socket
import sys
import threading

COMMIT = "0123456789abcdef0123456789abcdef01234567"
LFS_FILES = {"model.safetensors", "pytorch_model.bin"}
TOKEN = "test-token"


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def sentence_transformers_files(hidden_size):
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    pooling = {
        "word_embedding_dimension": hidden_size,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    }
    return {
        "modules.json": json.dumps(modules, indent=2).encode(),
        "1_Pooling/config.json": json.dumps(pooling, indent=2).encode(),
        "sentence_bert_config.json": json.dumps({"max_seq_length": 64, "do_lower_case": False}).encode(),
    }


class Hub:
    def __init__(self, root, log_path, cut_bytes):
        self.files = {}
        for dirpath, _, names in os.walk(root):
            for name in names:
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    self.files[os.path.relpath(path, root).replace(os.sep, "/")] = f.read()
        self.hidden_size = json.loads(self.files["config.json"])["hidden_size"]
        self.cut_bytes = cut_bytes
        self.cut_done = set()
        self.lock = threading.Lock()
        self.log = open(log_path, "a", buffering=1)

    def repo_files(self, repo):
        files = dict(self.files)
        if "pytorch-only" in repo:
            files["pytorch_model.bin"] = files.pop("model.safetensors")
        if "no-vocab" in repo:
            files.pop("vocab.txt", None)
        if "sentence" in repo:
            files.update(sentence_transformers_files(self.hidden_size))
        return files

    def first_cut(self, repo):
        with self.lock:
            if "cut" not in repo or repo in self.cut_done:
                return False
            self.cut_done.add(repo)
            return True


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "hf-hub-stand-in/1"

    def log_message(self, format, *args):  # the request log goes to --log instead
        pass

    def record(self, status):
        auth = "yes" if self.headers.get("Authorization") else "no"
        self.server.hub.log.write(f"{self.command} {self.path} range={self.headers.get('Range', '-')} auth={auth} -> {status}\n")

    def send(self, status, headers, body=b""):
        self.record(status)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = json.dumps({"error": message}).encode()
        self.send(status, {"X-Error-Code": code, "X-Error-Message": message, "Content-Type": "application/json"}, body)

    def do_HEAD(self):
        self.handle_request()

    def do_GET(self):
        self.handle_request()

    def handle_request(self):
        hub = self.server.hub
        path = self.path.split("?", 1)[0]
        cdn = re.fullmatch(r"/cdn/([^/]+/[^/]+)/(.+)", path)
        if cdn:
            return self.serve_content(cdn.group(1), cdn.group(2))
        match = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if not match:
            return self.error(404, "RepositoryNotFound", f"no route for {path}")
        repo, revision, file = match.group(1), match.group(2), match.group(3)
        if "gated" in repo and self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.error(401, "GatedRepo", f"Access to model {repo} is restricted. You must have access to it.")
        if revision not in ("main", COMMIT):
            return self.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        files = hub.repo_files(repo)
        if file not in files:
            return self.error(404, "EntryNotFound", f"{file} does not exist on \"{revision}\"")
        data = files[file]
        headers = {"X-Repo-Commit": COMMIT}
        if file in LFS_FILES:
            sha256 = hashlib.sha256(data).hexdigest()
            if "wrong-sha256" in repo and file == "model.safetensors":
                sha256 = hashlib.sha256(b"other bytes").hexdigest()
            host, port = self.server.server_address
            headers.update({
                "X-Linked-Etag": f'"{sha256}"',
                "X-Linked-Size": str(len(data)),
                "ETag": f'"{sha256}"',
                "Location": f"http://localhost:{port}/cdn/{repo}/{file}",
            })
            return self.send(302, headers)
        sha1 = git_blob_sha1(data)
        if "wrong-sha1" in repo and file == "config.json":
            sha1 = git_blob_sha1(b"other bytes")
        headers["ETag"] = f'"{sha1}"'
        self.serve_bytes(data, headers)

    def serve_content(self, repo, file):
        files = self.server.hub.repo_files(repo)
        if file not in files:
            return self.error(404, "EntryNotFound", "no such object")
        data = files[file]
        headers = {"ETag": '"cdn-' + hashlib.md5(data).hexdigest() + '-1"'}  # like S3: not a content checksum
        cut = self.command == "GET" and file == "model.safetensors" and self.server.hub.first_cut(repo)
        self.serve_bytes(data, headers, cut)

    def serve_bytes(self, data, headers, cut=False):
        headers = dict(headers, **{"Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"})
        status, start, end = 200, 0, len(data)
        requested = self.headers.get("Range")
        if requested:
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", requested.strip())
            if not m:
                return self.send(416, dict(headers, **{"Content-Range": f"bytes */{len(data)}"}))
            start = int(m.group(1))
            end = min(int(m.group(2)) + 1, len(data)) if m.group(2) else len(data)
            if start >= len(data) or start >= end:
                return self.send(416, dict(headers, **{"Content-Range": f"bytes */{len(data)}"}))
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(data)}"
        body = data[start:end]
        if not cut:
            return self.send(status, headers, body)
        # Announce the whole body, send part of it, and drop the connection.
        self.record(f"{status} cut after {self.server.hub.cut_bytes} bytes")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: self.server.hub.cut_bytes])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True, help="the checkpoint folder to serve")
    parser.add_argument("--log", required=True, help="request log file")
    parser.add_argument("--cut-bytes", type=int, default=1000000, help="bytes sent before a 'cut' drops the connection")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.hub = Hub(args.root, args.log, args.cut_bytes)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
