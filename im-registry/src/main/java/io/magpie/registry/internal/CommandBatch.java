package io.magpie.registry.internal;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.MapOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Collects Redis commands and writes them to a shared connection in one write and one flush
 * ({@link StatefulConnection#dispatch(java.util.Collection)}): a pipeline that does not touch the
 * connection's auto-flush setting, so it is safe on a connection other threads use.
 *
 * <p>Not thread-safe: build and dispatch on one thread; the returned futures complete on Lettuce's
 * I/O threads.
 */
public final class CommandBatch<K, V> {

    private final RedisCodec<K, V> codec;
    private final List<RedisCommand<K, V, ?>> commands = new ArrayList<>();

    public CommandBatch(RedisCodec<K, V> codec) {
        this.codec = codec;
    }

    public CompletableFuture<Map<K, V>> hgetall(K key) {
        return add(CommandType.HGETALL, new MapOutput<>(codec), args().addKey(key));
    }

    public CompletableFuture<V> hget(K key, K field) {
        return add(CommandType.HGET, new ValueOutput<>(codec), args().addKey(key).addKey(field));
    }

    /** ZADD with one score per member, in the order given. */
    public CompletableFuture<Long> zadd(K key, List<Double> scores, List<V> members) {
        CommandArgs<K, V> args = args().addKey(key);
        for (int i = 0; i < members.size(); i++) {
            args.add(scores.get(i)).addValue(members.get(i));
        }
        return add(CommandType.ZADD, new IntegerOutput<>(codec), args);
    }

    public CompletableFuture<Long> zremrangebyscore(K key, long min, long max) {
        return add(CommandType.ZREMRANGEBYSCORE, new IntegerOutput<>(codec),
                args().addKey(key).add(Long.toString(min)).add(Long.toString(max)));
    }

    public CompletableFuture<Long> zremrangebyrank(K key, long start, long stop) {
        return add(CommandType.ZREMRANGEBYRANK, new IntegerOutput<>(codec), args().addKey(key).add(start).add(stop));
    }

    public CompletableFuture<Long> pexpire(K key, long millis) {
        return add(CommandType.PEXPIRE, new IntegerOutput<>(codec), args().addKey(key).add(millis));
    }

    /** EVAL of a script that returns an integer. */
    public CompletableFuture<Long> evalInteger(String script, List<K> keys, List<V> values) {
        CommandArgs<K, V> args = args().add(script).add(keys.size()).addKeys(keys).addValues(values);
        return add(CommandType.EVAL, new IntegerOutput<>(codec), args);
    }

    public int size() {
        return commands.size();
    }

    /**
     * Writes every collected command in one go. The returned future completes when all replies
     * arrived, exceptionally with the first failure.
     */
    public CompletableFuture<Void> dispatch(StatefulConnection<K, V> connection) {
        if (commands.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<?>[] futures = new CompletableFuture<?>[commands.size()];
        for (int i = 0; i < futures.length; i++) {
            futures[i] = (CompletableFuture<?>) commands.get(i);
        }
        try {
            connection.dispatch(commands);
        } catch (RuntimeException e) {
            // e.g. the connection is closed: fail every command instead of leaving them pending
            for (CompletableFuture<?> future : futures) {
                future.completeExceptionally(e);
            }
        }
        return CompletableFuture.allOf(futures);
    }

    private CommandArgs<K, V> args() {
        return new CommandArgs<>(codec);
    }

    private <T> CompletableFuture<T> add(CommandType type, CommandOutput<K, V, T> output, CommandArgs<K, V> args) {
        AsyncCommand<K, V, T> command = new AsyncCommand<>(new Command<>(type, output, args));
        commands.add(command);
        return command;
    }
}
