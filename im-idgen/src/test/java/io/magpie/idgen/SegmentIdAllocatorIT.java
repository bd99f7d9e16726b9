package io.magpie.idgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.Database;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class SegmentIdAllocatorIT {

    private static Database database;
    private static ExecutorService prefetch;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        // the schema (table id_segment) comes from im-das's migrations
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 8));
        prefetch = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void close() {
        prefetch.shutdownNow();
        database.close();
    }

    @Test
    void newBizTagStartsAtOneAndAnInstanceCountsUpAcrossSegments() {
        SegmentIdAllocator allocator = new SegmentIdAllocator(database.dataSource(), "single", 10);
        for (long expected = 1; expected <= 35; expected++) {
            assertEquals(expected, allocator.nextId());
        }
    }

    @Test
    void twoInstancesOnManyThreadsNeverHandOutTheSameId() throws Exception {
        SegmentIdAllocator plain = new SegmentIdAllocator(database.dataSource(), "uid", 50);
        SegmentIdAllocator prefetching = new SegmentIdAllocator(database.dataSource(), "uid", 50, prefetch);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                SegmentIdAllocator allocator = t % 2 == 0 ? plain : prefetching;
                Callable<List<Long>> task = () -> {
                    List<Long> ids = new ArrayList<>();
                    long previous = 0;
                    for (int i = 0; i < 2000; i++) {
                        long id = allocator.nextId();
                        assertTrue(id > previous, "ids one thread sees from one instance increase");
                        previous = id;
                        ids.add(id);
                    }
                    return ids;
                };
                results.add(callers.submit(task));
            }
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> result : results) {
                for (long id : result.get()) {
                    assertTrue(all.add(id), "id " + id + " handed out twice");
                }
            }
            assertEquals(16_000, all.size());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void theStepStoredInTheTableWins() throws SQLException {
        new SegmentIdAllocator(database.dataSource(), "group", 100).nextId(); // creates the row: ids 1..100
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE id_segment SET step = 1000 WHERE biz_tag = 'group'");
        }
        SegmentIdAllocator allocator = new SegmentIdAllocator(database.dataSource(), "group", 100);
        assertEquals(101, allocator.nextId());
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT max_id FROM id_segment WHERE biz_tag = 'group'")) {
            rs.next();
            assertEquals(1100, rs.getLong(1));
        }
    }
}
