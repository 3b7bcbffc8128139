Feature: Failure messages of the Teams views (each scenario fails on purpose)

  Background:
    Given the users alice and bob
    And it is 09:00

  Scenario: stays until breaks at an event
    Given alice is signed in to Teams on desktop
    Then alice's presence stays Available until 09:10

  Scenario: last seen while Available
    Given alice is signed in to Teams on desktop
    Then bob sees alice as Available, last seen 09:00

  Scenario: a user without a session
    Then alice's presence is Available

  Scenario: within passes its bound
    Given alice is signed in to Teams on desktop
    Then within 2 minutes alice's presence is Away

  Scenario: a lock without a computer client
    Given alice is signed in to Teams on mobile
    When alice locks her computer

  Scenario: Blockiert without a block
    Given alice is signed in to Teams on mobile
    Then alice sees bob as Blockiert

  Scenario: a federated view stays until
    Given dave is a federated user from fabrikam
    And alice is signed in to Teams on desktop
    Then a federated user sees alice as Available until 09:30

  Scenario: a word that is no presence
    Given alice is signed in to Teams on desktop
    Then alice's presence is Zuletzt gesehen
