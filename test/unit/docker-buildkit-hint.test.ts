/** When a classic-builder failure is BuildKit-only syntax, and when it is not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikeBuildKit } from '../../src/docker/buildkit-hint.js';

describe('looksLikeBuildKit', () => {
  it('the builder says BuildKit is required', () => {
    assert.equal(looksLikeBuildKit('the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/', ''), true);
  });

  it('a parse error in a Dockerfile with a syntax directive, a heredoc or a RUN flag', () => {
    const parse = 'dockerfile parse error line 4: unknown instruction: ECHO';
    assert.equal(looksLikeBuildKit(parse, '# syntax=docker/dockerfile:1.4\nFROM busybox\n'), true);
    assert.equal(looksLikeBuildKit(parse, '# escape=`\n# syntax = docker/dockerfile:1\nFROM busybox\n'), true);
    assert.equal(looksLikeBuildKit(parse, 'FROM busybox\nRUN <<EOF\necho hi\nEOF\n'), true);
    assert.equal(looksLikeBuildKit(parse, 'FROM busybox\nCOPY <<-"END" /etc/motd\nhello\nEND\n'), true);
    assert.equal(looksLikeBuildKit(parse, 'FROM busybox\nRUN python3 <<EOF\nprint(1)\nEOF\n'), true);
    assert.equal(looksLikeBuildKit('Unknown flag: network', 'FROM busybox\nRUN --network=none true\n'), true);
  });

  it('other failures, and parse errors of Dockerfiles without BuildKit syntax, are left alone', () => {
    assert.equal(looksLikeBuildKit("The command '/bin/sh -c exit 3' returned a non-zero code: 3", '# syntax=docker/dockerfile:1\nFROM busybox\n'), false);
    assert.equal(looksLikeBuildKit('dockerfile parse error line 2: unknown instruction: RUNN', 'FROM busybox\nRUNN true\n'), false);
    assert.equal(looksLikeBuildKit('dockerfile parse error line 3: unknown instruction: X', 'FROM busybox\n# a comment\nRUN echo "<<not a heredoc" && true\n'), false);
  });
});
