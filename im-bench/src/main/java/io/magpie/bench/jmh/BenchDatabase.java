package io.magpie.bench.jmh;

import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.InfrastructureConfig;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A real MySQL schema for the storage benchmarks, one per benchmark fork: im-testkit's
 * {@link Infrastructure} (an embedded MariaDB under {@code ~/.cache/magpie/bench-infra}, or the server
 * named by {@code MAGPIE_MYSQL_URL}), a fresh database migrated by Flyway, and a HikariCP pool. The
 * embedded Redis and Kafka the testkit also starts are unused here.
 */
@State(Scope.Benchmark)
public class BenchDatabase {

    private Infrastructure infrastructure;
    private Database database;

    @Setup(Level.Trial)
    public void start() {
        InfrastructureConfig config = InfrastructureConfig.fromEnvironment(System.getenv());
        if (System.getenv(InfrastructureConfig.ENV_INFRA_DIR) == null) {
            config = config.withDataDir(Path.of(System.getProperty("user.home"), ".cache", "magpie", "bench-infra"));
        }
        infrastructure = Infrastructure.start(config);
        String name = "bench_jmh_" + Long.toString(System.nanoTime() & 0xFFFFFFFFL, 36);
        database = Database.open(new MysqlConfig(infrastructure.jdbcUrl(name), infrastructure.mysqlUser(),
                infrastructure.mysqlPassword(), 4));
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (database != null) {
            database.close();
        }
        if (infrastructure != null) {
            infrastructure.close();
        }
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    /** The logic writer's own sessions (multi-statement queries allowed), see {@code Database#writerDataSource}. */
    public DataSource writerDataSource() {
        return database.writerDataSource();
    }
}
