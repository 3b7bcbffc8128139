Feature: Teams clients, inactivity and devices
  Desktop and web show Away after the idle timeout or at once when the
  computer is locked, and end their session when it sleeps, once the session
  of the vanished client times out; the mobile app is Away in the background
  and Offline after 24 hours (T-ACT-1, T-ACT-2, T-ACT-4).

  Background:
    Given the users alice and bob
    And it is 09:00

  @T-ACT-1
  Scenario Outline: A running, active client is Available
    When alice signs in to Teams on <client>
    Then alice's presence is Available
    And alice's presence was decided by T-ACT-1

    Examples:
      | client  |
      | desktop |
      | web     |
      | mobile  |

  @T-ACT-2
  Scenario Outline: Desktop and web go Away after the idle timeout
    Given alice is signed in to Teams on <client>
    When 4 minutes pass
    Then alice's presence is Available
    When 1 minute passes
    Then alice's presence is Away
    And alice's presence was decided by T-ACT-2
    When alice uses her <client> client
    Then alice's presence is Available

    Examples:
      | client  |
      | desktop |
      | web     |

  @T-ACT-2
  Scenario: The idle timeout is a setting
    Given the idle timeout is 15 minutes
    And alice is signed in to Teams on desktop
    When 14 minutes pass
    Then alice's presence is Available
    When 1 minute passes
    Then alice's presence is Abwesend

  @T-ACT-2
  Scenario: Input restarts the idle timer
    Given alice is signed in to Teams on desktop
    When 4 minutes pass
    And alice uses her desktop client
    And 4 minutes pass
    Then alice's presence is Available
    When 1 minute passes
    Then alice's presence is Away

  @T-ACT-2
  Scenario: Locking the computer is Away at once, unlocking is Available
    Given alice is signed in to Teams on desktop
    When alice locks her computer
    Then alice's presence is Away
    When 2 hours pass
    Then alice's presence is Away
    When alice unlocks her computer
    Then alice's presence is Available

  @T-ACT-2 @T-ACT-4 @T-ACT-3
  Scenario: Sleep ends the desktop session once it times out
    Given alice is signed in to Teams on desktop
    When alice's computer goes to sleep
    Then alice's presence is Away
    And alice has 1 presence session
    When 5 minutes pass
    Then alice's presence is Offline
    And alice has 0 presence sessions
    When alice's computer wakes up
    Then alice's presence is Available

  @T-ACT-2 @T-AGG-2
  Scenario: Desktop idle while the mobile app is active shows the mobile's Available
    Given alice is signed in to Teams on desktop and mobile
    When alice's desktop client goes idle
    Then alice's presence is Available
    When alice sends the mobile app to the background
    Then alice's presence is Away

  @T-ACT-2
  Scenario: Mobile in the background for 24 hours goes Offline
    Given alice is signed in to Teams on mobile
    When alice sends the mobile app to the background
    Then alice's presence is Away
    When 23 hours pass
    Then alice's presence is Away
    When 1 hour passes
    Then alice's presence is Offline
    And alice's presence was decided by T-AGG-4
    When alice uses her mobile client
    Then alice's presence is Available
