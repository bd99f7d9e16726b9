package io.magpie.gate;

/**
 * Which sessions of one user may be online at the same time (issue 4 point 6). Whatever the policy,
 * a device has at most one session: a second login of the same device id kicks the older one.
 *
 * <p>{@link #MULTI_DEVICE} (the default): any number of devices, each its own route
 * (uid -> device -> gate). {@link #ONE_PER_PLATFORM_CLASS}: at most one session per platform class,
 * MOBILE (ANDROID or IOS), DESKTOP and WEB; a login kicks the older session of the same class on another
 * device with KICK reason DUPLICATE_DEVICE and a message naming this policy. "Older" is decided by
 * login time (gate clock), then gate id and connection id, so two gates racing agree on one survivor;
 * a login that finds a newer session of its class already there is itself kicked. Sessions whose
 * platform is unspecified belong to no class and are never limited. Immutable.
 *
 * @param oneSessionPerPlatformClass true: at most one session per platform class
 */
public record DevicePolicy(boolean oneSessionPerPlatformClass) {

    /** Any number of devices per user, one session per device. */
    public static final DevicePolicy MULTI_DEVICE = new DevicePolicy(false);

    /** At most one mobile, one desktop and one web session per user. */
    public static final DevicePolicy ONE_PER_PLATFORM_CLASS = new DevicePolicy(true);
}
