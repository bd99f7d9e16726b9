package io.magpie.server.faults;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which TCP ports a process has open, from Linux {@code /proc}: its socket inodes
 * ({@code /proc/PID/fd} links {@code socket:[INODE]}) looked up in {@code /proc/PID/net/tcp[6]}. The fault
 * suite uses it to tell which role process a MySQL session belongs to (MySQL's processlist names the
 * client's {@code host:port}); it works on a stopped process too.
 */
final class ProcSockets {

    private ProcSockets() {
    }

    /** Local ports of the TCP sockets {@code pid} holds (listening and connected). */
    static Set<Integer> localPorts(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list the sockets of pid " + pid + " in " + proc, e);
        }
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            try {
                for (String line : Files.readAllLines(proc.resolve("net").resolve(table))) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                    if (f.length > 9 && inodes.contains(f[9])) {
                        String local = f[1];
                        ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                    }
                }
            } catch (IOException e) {
                // no IPv6 table
            }
        }
        return ports;
    }
}
