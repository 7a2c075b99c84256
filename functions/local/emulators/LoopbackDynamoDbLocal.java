import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * DynamoDB Local as its command line builds it, with two changes made before it starts:
 * - it listens on the loopback address only (`-Dbind.host`, default 127.0.0.1); DynamoDB Local has no
 *   option for that and otherwise listens on every interface, open to the developer's network;
 * - it exits as soon as its standard input closes: the Node process that started it holds the other end,
 *   so when that process dies in any way (even SIGKILL) the JVM follows and frees the port.
 * Run in source-file mode (`java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java <DynamoDB Local args>`).
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is ever sent; only the end of the stream matters.
        }
      } catch (Exception ignored) {
        // A broken pipe means the same thing as a closed one.
      }
      // Exit through the shutdown hooks (the store is closed cleanly), but never hang on them.
      Thread halt = new Thread(() -> {
        try {
          Thread.sleep(5_000);
        } catch (InterruptedException ignored) {
          // Halting now is just as good.
        }
        Runtime.getRuntime().halt(1);
      }, "parent-watchdog-halt");
      halt.setDaemon(true);
      halt.start();
      System.exit(0);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    String host = System.getProperty("bind.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    for (Connector connector : jetty.getConnectors()) ((ServerConnector) connector).setHost(host);
    proxy.start();
    System.out.println("DynamoDB Local listening on " + host);
  }
}
