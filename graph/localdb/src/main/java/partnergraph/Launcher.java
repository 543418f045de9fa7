package partnergraph;

import java.nio.file.Path;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Neo4j Community, embedded, serving Bolt on 127.0.0.1 only.
 *
 * Usage: Launcher DATA_DIR BOLT_PORT PAGE_CACHE (e.g. "512m"). The heap is the JVM's -Xmx.
 * Prints one ready line once the database answers, so the caller can wait for it.
 */
public final class Launcher {
    public static final String READY = "partnergraph-neo4j ready";

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: Launcher DATA_DIR BOLT_PORT PAGE_CACHE");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long pageCache = ByteUnit.parse(args[2]);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .build();
        // A clean shutdown checkpoints the store, so the next start needs no recovery.
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME)
                .executeTransactionally("RETURN 1");
        System.out.println(READY + " bolt://127.0.0.1:" + port);
        System.out.flush();
    }
}
