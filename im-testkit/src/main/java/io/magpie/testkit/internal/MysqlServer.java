package io.magpie.testkit.internal;

/** A running MySQL-compatible server. */
public interface MysqlServer extends RunningServer {

    MysqlEndpoint endpoint();
}
