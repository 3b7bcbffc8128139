Feature: The computer's lock and sleep, and clients that vanish
  Locking the computer and its sleep touch every Teams client on it: the
  desktop app and a web client in its browser alike (T-ACT-2). Signing out
  ends a client's session at once; a client that vanishes without signing
  out (the computer asleep, no network, a crash) leaves its session standing,
  shown Away, until it times out: Offline "after a few minutes" (seed 003),
  5 minutes by default, a setting (T-ACT-4).

  Background:
    Given the users alice and bob
    And it is 09:00

  @T-ACT-2
  Scenario: With a web client alone, locking the computer is Away at once
    Given alice is signed in to Teams on web
    When alice locks her computer
    Then alice's presence is Away
    And alice's presence was decided by T-ACT-2
    When alice unlocks her computer
    Then alice's presence is Available

  @T-ACT-2 @T-AGG-2
  Scenario: Locking the computer makes desktop and web Away together
    Given alice is signed in to Teams on desktop and web
    When alice locks her computer
    Then alice's presence is Away
    And bob sees alice as Away
    When alice unlocks her computer
    Then alice's presence is Available

  @T-ACT-2 @T-AGG-2
  Scenario: The mobile app is not on the computer: a lock leaves it Available
    Given alice is signed in to Teams on web and mobile
    When alice locks her computer
    Then alice's presence is Available

  @T-ACT-2
  Scenario: A computer without a Teams client cannot be locked, and the step says what alice holds
    Given alice is signed in to Teams on mobile
    When alice tries to lock her computer
    Then it is refused because alice's computer holds no Teams client (desktop or web) to lock; alice is signed in on mobile

  @T-ACT-2 @T-ACT-4
  Scenario: Sleep takes desktop and web with it, and both sessions time out
    Given alice is signed in to Teams on desktop and web
    When alice's computer goes to sleep
    Then alice's presence is Away
    And alice has 2 presence sessions
    When 4 minutes pass
    Then alice's presence is Away
    When 1 minute passes
    Then alice's presence is Offline
    And alice has 0 presence sessions
    And alice's presence was decided by T-AGG-4
    When alice's computer wakes up
    Then alice's presence is Available
    And alice has 2 presence sessions

  @T-ACT-4 @T-ACT-1
  Scenario: Signing out ends the session at once
    Given alice is signed in to Teams on web
    When alice signs out of Teams on web
    Then alice's presence is Offline
    And alice has 0 presence sessions

  @T-ACT-4
  Scenario: A crashed client stands Away until its session times out
    Given alice is signed in to Teams on desktop
    When alice's desktop client crashes
    Then alice's presence is Away
    And alice's presence was decided by T-ACT-4
    And bob sees alice as Away
    When 4 minutes pass
    Then alice's presence is Away
    When 1 minute passes
    Then alice's presence is Offline
    When alice signs in to Teams on desktop
    Then alice's presence is Available

  @T-ACT-4 @T-AGG-2
  Scenario: A crashed web client does not outrank the active desktop client
    Given alice is signed in to Teams on desktop and web
    When alice's web client crashes
    Then alice's presence is Available
    And alice has 2 presence sessions
    When 5 minutes pass
    Then alice has 1 presence session

  @T-ACT-4
  Scenario: The timeout of a vanished client is a setting
    Given a vanished client's session times out after 10 minutes
    And alice is signed in to Teams on desktop
    When alice's computer goes to sleep
    And 9 minutes pass
    Then alice's presence is Away
    When 1 minute passes
    Then alice's presence is Offline
