package io.magpie.logic.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), loaded on first use and again when Redis answers
 * {@code NOSCRIPT} (it restarted or its script cache was flushed), so the script's text travels once, not with
 * every call. Thread-safe: callers racing on a reload load the same script.
 */
final class LuaScript {

    private final RedisCommands<String, String> redis;
    private final String source;
    private volatile String sha;

    LuaScript(RedisCommands<String, String> redis, String source) {
        this.redis = redis;
        this.source = source;
    }

    <T> T run(ScriptOutputType type, String[] keys, String... args) {
        if (sha == null) {
            sha = redis.scriptLoad(source);
        }
        try {
            return redis.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            sha = redis.scriptLoad(source);
            return redis.evalsha(sha, type, keys, args);
        }
    }
}
