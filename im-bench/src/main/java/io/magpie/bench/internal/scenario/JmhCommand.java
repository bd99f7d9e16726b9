package io.magpie.bench.internal.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bench jmh [JMH options] [benchmark regex]}: hands everything to JMH's own command line
 * ({@code org.openjdk.jmh.Main}); {@code bench jmh -h} prints JMH's options, {@code bench jmh -l} lists
 * the benchmarks of this jar (package {@code io.magpie.bench.jmh}).
 */
@Command(name = JmhCommand.NAME,
        description = {"Run the JMH micro-benchmarks (frame codec, snowflake and segment ids, the logic batch path).",
            "Every argument goes to JMH: e.g. 'jmh -l', 'jmh -h', 'jmh -f 1 -wi 2 -i 3 FrameCodec'.",
            "Segment ids and the batch path start an embedded MariaDB (or use MAGPIE_MYSQL_URL)."})
public final class JmhCommand implements Callable<Integer> {

    public static final String NAME = "jmh";

    @Option(names = "--help", usageHelp = true, description = "this help; 'jmh -h' shows JMH's options")
    boolean help;

    @Parameters(arity = "0..*", paramLabel = "JMH_ARG", description = "arguments for JMH")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(args.toArray(new String[0]));
        return 0;
    }
}
