package io.magpie.testkit;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.InfrastructureConfig;
import io.magpie.engines.TestIsolation;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 access to one shared {@link Infrastructure} per test JVM:
 * {@code @ExtendWith(InfrastructureExtension.class)} on a test class, then declare parameters of
 * type {@link Infrastructure} and/or {@link TestIsolation} on constructors, lifecycle or test
 * methods.
 *
 * <p>The infrastructure is started from {@link InfrastructureConfig#fromEnvironment} the first
 * time any test class needs it (in its before-all phase) and kept in the root extension context,
 * which closes it when the JVM's tests have finished (a failed start fails every class that uses
 * it, with the same exception). Each test class gets its own {@link TestIsolation}, shared by its
 * {@code @Nested} classes. Safe with parallel test execution.
 */
public final class InfrastructureExtension implements BeforeAllCallback, ParameterResolver {

    private static final Namespace NAMESPACE = Namespace.create(InfrastructureExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        isolation(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Infrastructure.class || type == TestIsolation.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Infrastructure.class
                ? infrastructure(context)
                : isolation(context);
    }

    /** The JVM-wide instance, started on first use. */
    static Infrastructure infrastructure(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Shared.class, key -> new Shared(Infrastructure.start(
                        InfrastructureConfig.fromEnvironment(System.getenv()))), Shared.class)
                .infrastructure();
    }

    /** The isolation of the outermost test class around {@code context}. */
    static TestIsolation isolation(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Store store = classContext.getStore(NAMESPACE);
        TestIsolation inherited = store.get(TestIsolation.class, TestIsolation.class);
        if (inherited != null) {
            return inherited; // an enclosing class (for @Nested) or this class already has one
        }
        String name = classContext.getTestClass().map(Class::getSimpleName).orElse("test");
        Infrastructure infrastructure = infrastructure(context);
        return store.getOrComputeIfAbsent(TestIsolation.class,
                key -> infrastructure.isolate(name), TestIsolation.class);
    }

    /** Closes the infrastructure when JUnit closes the root context. */
    private record Shared(Infrastructure infrastructure) implements Store.CloseableResource {

        @Override
        public void close() {
            infrastructure.close();
        }
    }
}
